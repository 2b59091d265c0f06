/**
 * Generates src/apiserver/apply/schema/builtin-ssa.json: what server-side apply needs to know
 * about the built-in API types beyond their OpenAPI definitions, read from the Go API types of
 * Kubernetes 1.32 (the same markers kube-openapi turns into x-kubernetes-* extensions):
 *
 *   - list semantics: `+listType` / `+listMapKey`, else `patchStrategy` / `patchMergeKey` (the
 *     fallback upstream's schema conversion uses), else atomic;
 *   - atomic structs and maps: `+structType=atomic`, `+mapType=atomic`;
 *   - `+default` values of list-map key fields (a port without `protocol` is keyed with TCP);
 *   - the JSON form of each kind's zero value, as Go's encoder prints an empty struct: field
 *     ownership on create is computed against it, so which maps count as "added" matches.
 *
 *   bun scripts/gen-ssa-types.ts <dir>
 *
 * <dir> holds the modules at the release being emulated, one directory each (e.g. `git archive
 * v0.32.13` of each repository): <dir>/api <dir>/apimachinery <dir>/apiextensions-apiserver
 * <dir>/kube-aggregator
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDefinitions } from "../src/apiserver/openapi/definitions.ts";
import type { BuiltinSsaFile, FieldSemantics } from "../src/apiserver/apply/schema/builtin-ssa.ts";
import type { JsonObject } from "../src/apiserver/patch/json-value.ts";
import { GoSource, goHome, type GoDecl, type GoField, type GoType, type Markers } from "./lib/go-source.ts";

export const OUTPUT = join(import.meta.dir, "..", "src", "apiserver", "apply", "schema", "builtin-ssa.json");

const root = process.argv[2];
if (!GoSource.usable(root)) {
  console.error("usage: bun scripts/gen-ssa-types.ts <dir with api/, apimachinery/, apiextensions-apiserver/, kube-aggregator/>");
  process.exit(2);
}
const go = new GoSource(root);
const loadPackage = (importPath: string) => go.package(importPath);
const structFields = (pkgPath: string, name: string) => go.structFields(pkgPath, name);

const markerValue = (markers: Markers, name: string): string | undefined => markers.find(([k]) => k === name)?.[1];
const markerValues = (markers: Markers, name: string): string[] => markers.filter(([k]) => k === name).map(([, v]) => v);

/** The list semantics upstream derives for a slice field: explicit listType first, then the patch strategy. */
function listSemantics(f: GoField): FieldSemantics | undefined {
  const listType = markerValue(f.markers, "listType");
  if (listType === "atomic") return undefined;
  if (listType === "set") return { list: "set" };
  if (listType === "map") return { list: "map", keys: markerValues(f.markers, "listMapKey") };
  const strategy = f.patchStrategy ?? markerValue(f.markers, "patchStrategy");
  const mergeKey = f.patchMergeKey ?? markerValue(f.markers, "patchMergeKey");
  if (strategy === "merge" || strategy === "merge,retainKeys") return mergeKey ? { list: "map", keys: [mergeKey] } : { list: "set" };
  return undefined;
}

function isSlice(t: GoType): boolean {
  let u = t;
  for (let hops = 0; hops < 8; hops++) {
    if (u.kind === "pointer") u = u.elem;
    else if (u.kind === "named") {
      const decl = loadPackage(u.pkg)?.decls.get(u.name);
      if (!decl || decl.struct) return false;
      u = decl.underlying;
    } else return u.kind === "slice" && !(u.elem.kind === "builtin" && (u.elem.name === "byte" || u.elem.name === "uint8"));
  }
  return false;
}

/** The named struct or map type a field holds (through pointers), for its type-level markers. */
function namedDecl(t: GoType): GoDecl | undefined {
  let u = t;
  while (u.kind === "pointer") u = u.elem;
  return u.kind === "named" ? loadPackage(u.pkg)?.decls.get(u.name) : undefined;
}

/** `+default=` of a field, as JSON: a literal, or `ref(Const)` resolved in the field's package. */
function defaultOf(f: GoField, pkgPath: string): unknown {
  const raw = markerValue(f.markers, "default");
  if (raw === undefined) return undefined;
  const ref = /^ref\(([\w.]+)\)$/.exec(raw);
  const literal = ref ? loadPackage(pkgPath)?.consts.get(ref[1]!.slice(ref[1]!.lastIndexOf(".") + 1)) : raw;
  if (literal === undefined) throw new Error(`cannot resolve +default=${raw}`);
  return JSON.parse(literal) as unknown;
}

// ---------------------------------------------------------------- zero values

const SPECIAL_ZERO: Record<string, unknown> = {
  "k8s.io/apimachinery/pkg/apis/meta/v1.Time": null,
  "k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime": null,
  "k8s.io/apimachinery/pkg/apis/meta/v1.Duration": "0s",
  "k8s.io/apimachinery/pkg/api/resource.Quantity": "0",
  "k8s.io/apimachinery/pkg/util/intstr.IntOrString": 0,
  "k8s.io/apimachinery/pkg/runtime.RawExtension": null,
};

/** What encoding/json prints for a field left at its zero value, or undefined when it omits it. */
function zeroField(f: GoField, depth: number): unknown {
  const t = f.type;
  if (t.kind === "pointer" || t.kind === "slice" || t.kind === "map") return f.omitempty ? undefined : null;
  if (t.kind === "builtin") {
    if (f.omitempty) return undefined;
    if (t.name === "string") return "";
    if (t.name === "bool") return false;
    if (t.name === "any") return null;
    return 0;
  }
  const key = `${t.pkg}.${t.name}`;
  // Structs are never omitted; types with their own MarshalJSON print their zero form.
  if (Object.hasOwn(SPECIAL_ZERO, key)) return SPECIAL_ZERO[key];
  const decl = loadPackage(t.pkg)?.decls.get(t.name);
  if (!decl) return f.omitempty ? undefined : null;
  if (decl.struct) return zeroStruct(t.pkg, t.name, depth + 1);
  return zeroField({ ...f, type: decl.underlying }, depth);
}

function zeroStruct(pkgPath: string, name: string, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 32) return out;
  for (const f of structFields(pkgPath, name) ?? []) {
    const v = zeroField(f, depth);
    if (v !== undefined) out[f.json] = v;
  }
  return out;
}

// ---------------------------------------------------------------- walk the definitions

const defs = builtinDefinitions().definitions;
const file: BuiltinSsaFile = { "//": "Generated by scripts/gen-ssa-types.ts from the Go API types of Kubernetes v0.32.13; do not edit.", definitions: {}, zero: {} };
const keyFields: Array<{ itemDefinition: string; keys: string[] }> = [];
const missing: string[] = [];

const itemDefinitionOf = (prop: { items?: { $ref?: string } }): string | undefined => prop.items?.$ref?.replace(/^#\/definitions\//, "");

for (const [definition, schema] of Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))) {
  const home = goHome(definition);
  const decl = home && loadPackage(home[0])?.decls.get(home[1]);
  if (!home || !decl) {
    if (schema.properties) missing.push(definition);
    continue;
  }
  const entry: BuiltinSsaFile["definitions"][string] = {};
  const typeMap = markerValue(decl.markers, "structType") ?? markerValue(decl.markers, "mapType");
  if (typeMap === "atomic") entry.atomic = true;
  const goFields = new Map((structFields(home[0], home[1]) ?? []).map((f) => [f.json, f]));
  for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
    const f = goFields.get(prop);
    if (!f) continue;
    let semantics: FieldSemantics | undefined;
    if (isSlice(f.type)) {
      semantics = listSemantics(f);
      if (semantics && "list" in semantics && semantics.list === "map") {
        const item = itemDefinitionOf(propSchema as { items?: { $ref?: string } });
        if (item) keyFields.push({ itemDefinition: item, keys: semantics.keys });
      }
    } else {
      const mapType = markerValue(f.markers, "mapType") ?? markerValue(f.markers, "structType");
      if (mapType === "atomic") semantics = { map: "atomic" };
      else if (mapType === "granular" && namedDecl(f.type)?.markers.some(([k, v]) => (k === "structType" || k === "mapType") && v === "atomic")) semantics = { map: "granular" };
    }
    if (semantics) (entry.fields ??= {})[prop] = semantics;
  }
  if (entry.atomic || entry.fields) file.definitions[definition] = entry;
  const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
  if (gvks.length === 1 && decl.struct) file.zero[definition] = zeroStruct(home[0], home[1]) as JsonObject;
}

for (const { itemDefinition, keys } of keyFields) {
  const home = goHome(itemDefinition);
  if (!home) continue;
  const fields = new Map((structFields(home[0], home[1]) ?? []).map((f) => [f.json, f]));
  for (const key of keys) {
    const f = fields.get(key);
    const value = f ? defaultOf(f, home[0]) : undefined;
    if (value === undefined) continue;
    const entry = (file.definitions[itemDefinition] ??= {});
    (entry.defaults ??= {})[key] = value;
  }
}

const lines = (record: Record<string, unknown>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(",\n");
writeFileSync(OUTPUT, `{\n  "//": ${JSON.stringify(file["//"])},\n  "definitions": {\n${lines(file.definitions)}\n  },\n  "zero": {\n${lines(file.zero)}\n  }\n}\n`);
console.error(`wrote ${OUTPUT}: ${Object.keys(file.definitions).length} definitions with semantics, ${Object.keys(file.zero).length} zero values`);
if (missing.length) console.error(`no Go type for ${missing.length} definitions: ${missing.join(", ")}`);
