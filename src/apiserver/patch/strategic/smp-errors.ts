/**
 * Strategic merge patch failures, with the status each one gets from kube-apiserver
 * (interpretStrategicMergePatchError): malformed directives are 400s, lists of lists a 422,
 * everything else a 500 carrying the engine's message.
 */
import type { ApiError } from "../../api/errors.ts";
import { goString, goTypeName, goValue } from "../go-format.ts";
import type { JsonObject, JsonValue } from "../json-value.ts";
import { badPatch, patchInternal, patchRejected } from "../patch-errors.ts";

export const smpErrors = {
  badPrimitiveListFormat: (): ApiError => badPatch("invalid patch format of primitive list"),
  badRetainKeysFormat: (): ApiError => badPatch("invalid patch format of retainKeys"),
  badSetElementOrderFormat: (): ApiError => badPatch("invalid patch format of setElementOrder list"),
  listOfLists: (): ApiError => patchRejected("lists of lists are not supported"),
  noMergeKey: (item: JsonObject, key: string): ApiError => patchInternal(`map: ${goValue(item)} does not contain declared merge key: ${key}`),
  /** `expected` is the Go type the engine wanted ("[]interface {}" or "map[string]interface {}"). */
  badArgType: (expected: string, actual: JsonValue): ApiError => patchInternal(`expected a ${expected}, but received a ${goTypeName(actual)}`),
  badPatchType: (directive: JsonValue, item: JsonObject): ApiError => patchInternal(`unknown patch type: ${goString(directive)} in map: ${goValue(item)}`),
  mergeDirectiveInList: (): ApiError => patchInternal("merging lists cannot yet be specified in the patch"),
  noMergeKeyForList: (): ApiError => patchInternal("cannot merge lists without merge key for struct"),
  mixedElementTypes: (lists: JsonValue[][]): ApiError => patchInternal(`list element types are not identical: ${goValue(lists)}`),
  noElements: (): ApiError => patchInternal("no elements in any of the given slices"),
  notAMap: (index: number): ApiError => patchInternal(`value for key ${index} is not a map`),
  orderMismatch: (patchList: JsonValue[], order: JsonValue[]): ApiError =>
    patchInternal(`The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`),
};

export const LIST_TYPE = "[]interface {}";
export const MAP_TYPE = "map[string]interface {}";
