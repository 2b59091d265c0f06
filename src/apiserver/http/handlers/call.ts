/**
 * Everything a verb handler needs about one resource request, parsed once.
 */
import type { RequestContext } from "../../registry/definition.ts";
import type { GenericStore } from "../../registry/store.ts";
import type { Registry } from "../../registry/registry.ts";
import type { ResourceRequest } from "../request-info.ts";
import type { Representation } from "../respond.ts";
import type { OpenApi } from "../../openapi/index.ts";
import type { Verb } from "../../registry/definition.ts";
import { errors, type ApiError, type FieldError } from "../../api/errors.ts";
import { supportsProtobuf } from "../../protobuf/index.ts";
import { negotiateOutput } from "../negotiate.ts";
import { parseIncludeObject } from "../table.ts";

/** kube-apiserver's default --max-request-bytes for a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface Call {
  /** OpenAPI of the served types: field validation of request bodies. */
  openapi?: OpenApi;
  req: Request;
  url: URL;
  query: URLSearchParams;
  info: ResourceRequest;
  store: GenericStore;
  registry: Registry;
  ctx: RequestContext;
  rep: Representation;
  signal: AbortSignal;
}

export function makeCall(req: Request, url: URL, info: ResourceRequest, store: GenericStore, registry: Registry, ctx: RequestContext, openapi?: OpenApi): Call {
  const readVerb = info.verb === "get" || info.verb === "list" || info.verb === "watch";
  const output = negotiateOutput(req.headers.get("accept"), { allowTransforms: readVerb, protobuf: supportsProtobuf(store.apiVersion, store.kind) });
  const rep: Representation = { output, def: store.def, include: parseIncludeObject(url.searchParams.get("includeObject")) };
  if (store.def.deprecationWarning) rep.warnings = [store.def.deprecationWarning];
  return { req, url, query: url.searchParams, info, store, registry, ctx, rep, signal: req.signal, openapi };
}

/** Reads the request body, refusing bodies over the limit before buffering them whole. */
export async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw errors.tooLarge();
  const reader = req.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw errors.tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The meta.k8s.io options kind upstream validates for each write verb. */
const OPTIONS_KIND: Partial<Record<Verb, string>> = { create: "CreateOptions", update: "UpdateOptions", patch: "PatchOptions", delete: "DeleteOptions", deletecollection: "DeleteOptions" };

/** Upstream's ValidateDryRun: "All" is the only value; Go prints the offending list with %#v. */
export function dryRunProblems(values: string[]): FieldError[] {
  if (values.every((v) => v === "All")) return [];
  const shown = `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
  return [{ type: "FieldValueNotSupported", field: "dryRun", detail: `${shown}: supported values: "All"` }];
}

/** 422 for bad write options, as upstream's handlers answer: `CreateOptions.meta.k8s.io "" is invalid: ...`. */
export function invalidOptions(call: Call, problems: FieldError[]): ApiError {
  return errors.invalid({ group: "meta.k8s.io", kind: OPTIONS_KIND[call.info.verb] ?? "Options" }, problems);
}

/** Whether the write is a dry run (dryRun=All); any other value is refused. */
export function isDryRun(call: Call): boolean {
  const values = call.query.getAll("dryRun");
  const problems = dryRunProblems(values);
  if (problems.length > 0) throw invalidOptions(call, problems);
  return values.length > 0;
}

/** The fieldValidation directive (default Warn); other values are refused as upstream's ValidateFieldValidation does. */
export function fieldValidation(call: Call): "Strict" | "Warn" | "Ignore" {
  const v = call.query.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw invalidOptions(call, [{ type: "FieldValueNotSupported", field: "fieldValidation", value: v, detail: 'supported values: "", "Ignore", "Strict", "Warn"' }]);
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid ${name}: ${JSON.stringify(v)}`);
  return n;
}
