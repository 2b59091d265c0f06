/**
 * core/v1 limitranges: container defaults derived from max/min (upstream's
 * SetDefaults_LimitRangeItem), the consistency rules between min, max, default and
 * defaultRequest, and the NAME / CREATED AT Table.
 */
import type { FieldError } from "../../api/errors.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from "../../validation/quantity.ts";
import { nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { canonicalizeResourceList } from "./quantities.ts";
import { isOvercommitAllowed } from "./resource-names.ts";
import { readResourceList, validateContainerResourceName, validateResourceName } from "./resource-validation.ts";
import { view, type LimitRange, type LimitRangeItem, type ResourceList } from "./types.ts";

const LIMIT_TYPES = ["Container", "Pod", "PersistentVolumeClaim"];
const LISTS = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const;

/** Container limits: default from max, defaultRequest from default, then from min. */
export function defaultLimitRangeItem(item: LimitRangeItem): void {
  for (const key of LISTS) canonicalizeResourceList(item[key]);
  if (item.type !== "Container") return;
  const def: ResourceList = { ...item.max, ...item.default };
  const req: ResourceList = { ...item.min, ...def, ...item.defaultRequest };
  // Go leaves these as empty maps, which JSON omits.
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(req).length) item.defaultRequest = req;
}

function validateLimitType(type: string, path: FieldPath): FieldError[] {
  const errs = invalidEach(path, type, isQualifiedName(type));
  if (errs.length) return errs;
  return !type.includes("/") && !LIMIT_TYPES.includes(type) ? [field.invalid(path, type, "must be a standard limit type or fully qualified")] : [];
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = FieldPath.root("spec").child("limits").index(i);
    errs.push(...validateLimitType(item.type, p.child("type")));
    if (types.has(item.type)) errs.push(field.duplicate(p.child("type"), item.type));
    types.add(item.type);
    errs.push(...validateItem(item, p));
  });
  return errs;
}

function validateItem(item: LimitRangeItem, p: FieldPath): FieldError[] {
  const nameCheck = item.type === "Pod" || item.type === "Container" ? validateContainerResourceName : validateResourceName;
  const errs: FieldError[] = [];
  const read = (key: (typeof LISTS)[number]) => {
    // upstream checks only names and relations here, not the values themselves.
    const r = readResourceList(item[key], p.child(key), nameCheck, false);
    errs.push(...r.errors);
    return r.values;
  };
  const max = read("max");
  const min = read("min");
  if (item.type === "Pod") {
    if (Object.keys(item.default ?? {}).length) errs.push(field.forbidden(p.child("default"), "may not be specified when `type` is 'Pod'"));
    if (Object.keys(item.defaultRequest ?? {}).length) errs.push(field.forbidden(p.child("defaultRequest"), "may not be specified when `type` is 'Pod'"));
  }
  const defaults = item.type === "Pod" ? new Map<string, Quantity>() : read("default");
  const requests = item.type === "Pod" ? new Map<string, Quantity>() : read("defaultRequest");
  if (item.type === "PersistentVolumeClaim" && !min.has("storage") && !max.has("storage")) {
    errs.push(field.required(p.child("limits"), "either minimum or maximum storage value is required, but neither was provided"));
  }
  const ratios = read("maxLimitRequestRatio");
  const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...requests.keys(), ...ratios.keys()]);
  for (const k of keys) errs.push(...validateRelations(k, p, { min: min.get(k), max: max.get(k), def: defaults.get(k), req: requests.get(k), ratio: ratios.get(k) }));
  return errs;
}

interface Bounds {
  min?: Quantity;
  max?: Quantity;
  def?: Quantity;
  req?: Quantity;
  ratio?: Quantity;
}

function validateRelations(k: string, p: FieldPath, b: Bounds): FieldError[] {
  const errs: FieldError[] = [];
  const s = formatQuantity;
  const gt = (a: Quantity | undefined, c: Quantity | undefined) => a !== undefined && c !== undefined && compareQuantities(a, c) > 0;
  if (gt(b.min, b.max)) errs.push(field.invalid(p.child("min").key(k), s(b.min!), `min value ${s(b.min!)} is greater than max value ${s(b.max!)}`));
  if (gt(b.min, b.req)) errs.push(field.invalid(p.child("defaultRequest").key(k), s(b.req!), `min value ${s(b.min!)} is greater than default request value ${s(b.req!)}`));
  if (gt(b.req, b.max)) errs.push(field.invalid(p.child("defaultRequest").key(k), s(b.req!), `default request value ${s(b.req!)} is greater than max value ${s(b.max!)}`));
  if (gt(b.req, b.def)) errs.push(field.invalid(p.child("defaultRequest").key(k), s(b.req!), `default request value ${s(b.req!)} is greater than default limit value ${s(b.def!)}`));
  if (gt(b.min, b.def)) errs.push(field.invalid(p.child("default").key(k), s(b.min!), `min value ${s(b.min!)} is greater than default value ${s(b.def!)}`));
  if (gt(b.def, b.max)) errs.push(field.invalid(p.child("default").key(k), s(b.max!), `default value ${s(b.def!)} is greater than max value ${s(b.max!)}`));
  if (b.ratio && compareQuantities(b.ratio, parseQuantity("1")!) < 0) {
    errs.push(field.invalid(p.child("maxLimitRequestRatio").key(k), s(b.ratio), `ratio ${s(b.ratio)} is less than 1`));
  }
  if (b.ratio && b.min && b.max && b.min.nanos > 0n) {
    const limit = Number(b.max.nanos) / Number(b.min.nanos);
    if (Number(b.ratio.nanos) / 1e9 > limit) {
      errs.push(field.invalid(p.child("maxLimitRequestRatio").key(k), s(b.ratio), `ratio ${s(b.ratio)} is greater than max/min = ${limit.toFixed(6)}`));
    }
  }
  if (!isOvercommitAllowed(k) && b.def && b.req && compareQuantities(b.def, b.req) !== 0) {
    errs.push(field.invalid(p.child("defaultRequest").key(k), s(b.req), `default value ${s(b.def)} must equal to defaultRequest value ${s(b.req)} in ${k}`));
  }
  return errs;
}

const strategy: Strategy = {
  defaults(obj) {
    for (const item of view<LimitRange>(obj).spec?.limits ?? []) defaultLimitRangeItem(item);
  },
  validate: (obj) => validateLimitRange(view<LimitRange>(obj)),
};

export const limitRangeDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  singular: "limitrange",
  shortNames: ["limits"],
  namespaced: true,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<LimitRange>(
      "Created At",
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      (lr) => lr.metadata?.creationTimestamp ?? null,
      { type: "date" },
    ),
  ],
  strategy,
};
