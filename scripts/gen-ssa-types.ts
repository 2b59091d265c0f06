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
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDefinitions } from "../src/apiserver/openapi/definitions.ts";
import type { BuiltinSsaFile, FieldSemantics } from "../src/apiserver/apply/schema/builtin-ssa.ts";
import type { JsonObject } from "../src/apiserver/patch/json-value.ts";

export const OUTPUT = join(import.meta.dir, "..", "src", "apiserver", "apply", "schema", "builtin-ssa.json");

type GoType =
  | { kind: "builtin"; name: string }
  | { kind: "named"; pkg: string; name: string }
  | { kind: "pointer"; elem: GoType }
  | { kind: "slice"; elem: GoType }
  | { kind: "map"; key: GoType; elem: GoType };

interface GoField {
  /** JSON name; "" for an embedded struct whose fields are promoted. */
  json: string;
  omitempty: boolean;
  type: GoType;
  /** `+name=value` comment markers, in order. */
  markers: Array<[string, string]>;
  patchStrategy?: string;
  patchMergeKey?: string;
}

type GoDecl = { struct: true; fields: GoField[]; markers: Array<[string, string]> } | { struct: false; underlying: GoType; markers: Array<[string, string]> };

interface GoPackage {
  decls: Map<string, GoDecl>;
  /** Constant name -> its literal value, for `+default=ref(Name)`. */
  consts: Map<string, string>;
}

const BUILTINS = new Set(["string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune", "any"]);

const root = process.argv[2];
if (!root || !existsSync(join(root, "api"))) {
  console.error("usage: bun scripts/gen-ssa-types.ts <dir with api/, apimachinery/, apiextensions-apiserver/, kube-aggregator/>");
  process.exit(2);
}

function packageDir(importPath: string): string | undefined {
  const m = /^k8s\.io\/([^/]+)\/?(.*)$/.exec(importPath);
  return m ? join(root!, m[1]!, m[2]!) : undefined;
}

/** "io.k8s.api.core.v1.PodSpec" -> ["k8s.io/api/core/v1", "PodSpec"] */
function goHome(definition: string): [string, string] | undefined {
  const m = /^io\.k8s\.([^.]+)\.(.+)\.([^.]+)$/.exec(definition);
  return m ? [`k8s.io/${m[1]}/${m[2]!.replaceAll(".", "/")}`, m[3]!] : undefined;
}

function parseType(expr: string, pkg: string, imports: Map<string, string>): GoType {
  const e = expr.trim();
  if (e.startsWith("*")) return { kind: "pointer", elem: parseType(e.slice(1), pkg, imports) };
  if (e.startsWith("[]")) return { kind: "slice", elem: parseType(e.slice(2), pkg, imports) };
  if (e.startsWith("map[")) {
    let depth = 0;
    for (let i = 3; i < e.length; i++) {
      if (e[i] === "[") depth++;
      else if (e[i] === "]" && --depth === 0) return { kind: "map", key: parseType(e.slice(4, i), pkg, imports), elem: parseType(e.slice(i + 1), pkg, imports) };
    }
    throw new Error(`unbalanced map type ${e}`);
  }
  if (e === "interface{}") return { kind: "builtin", name: "any" };
  const dot = e.indexOf(".");
  if (dot > 0) {
    const path = imports.get(e.slice(0, dot));
    if (!path) throw new Error(`unknown import ${e.slice(0, dot)} in ${pkg}`);
    return { kind: "named", pkg: path, name: e.slice(dot + 1) };
  }
  if (BUILTINS.has(e)) return { kind: "builtin", name: e };
  return { kind: "named", pkg, name: e };
}

const packages = new Map<string, GoPackage | undefined>();

function loadPackage(importPath: string): GoPackage | undefined {
  if (packages.has(importPath)) return packages.get(importPath);
  const dir = packageDir(importPath);
  let pkg: GoPackage | undefined;
  if (dir && existsSync(dir)) {
    pkg = { decls: new Map(), consts: new Map() };
    const files = readdirSync(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && !f.startsWith("zz_generated") && !f.startsWith("generated."));
    for (const f of files) parseFile(readFileSync(join(dir, f), "utf8"), importPath, pkg);
  }
  packages.set(importPath, pkg);
  return pkg;
}

function marker(line: string): [string, string] | undefined {
  const m = /^\s*\/\/\s*\+([\w.:-]+)(?:=(.*))?$/.exec(line);
  return m ? [m[1]!, (m[2] ?? "").trim()] : undefined;
}

function parseFile(text: string, importPath: string, pkg: GoPackage): void {
  const imports = new Map<string, string>();
  let inImports = false;
  let inConsts = false;
  let struct: { name: string; fields: GoField[]; markers: Array<[string, string]> } | undefined;
  let comments: Array<[string, string]> = [];
  for (const raw of text.split("\n")) {
    if (/^\s*\/\//.test(raw)) {
      const m = marker(raw);
      if (m) comments.push(m);
      continue;
    }
    const line = raw.replace(/\s+\/\/.*$/, "");
    if (line.trim() === "") {
      comments = [];
      continue;
    }
    if (line === "import (") inImports = true;
    else if (inImports && line === ")") inImports = false;
    const imp = (inImports ? /^\s*(\w+\s+)?"([^"]+)"/ : /^import\s+(\w+\s+)?"([^"]+)"/).exec(line);
    if (imp && (inImports || line.startsWith("import"))) {
      const path = imp[2]!;
      imports.set(imp[1]?.trim() ?? path.slice(path.lastIndexOf("/") + 1), path);
      continue;
    }
    if (line === "const (") inConsts = true;
    else if (inConsts && line === ")") inConsts = false;
    const constant = (inConsts ? /^\t(\w+)(?:\s+[\w.]+)?\s*=\s*("[^"]*"|-?\d+)\s*$/ : /^const\s+(\w+)(?:\s+[\w.]+)?\s*=\s*("[^"]*"|-?\d+)\s*$/).exec(line);
    if (constant) {
      pkg.consts.set(constant[1]!, constant[2]!);
      continue;
    }
    if (struct) {
      if (line === "}") {
        pkg.decls.set(struct.name, { struct: true, fields: struct.fields, markers: struct.markers });
        struct = undefined;
        comments = [];
        continue;
      }
      const field = /^\t(\w+)\s+([^\s`]+)\s*(`.*`)?\s*$/.exec(line);
      const embedded = /^\t(\*?[\w.]+)\s*(`.*`)?\s*$/.exec(line);
      const tags = field ? field[3] : embedded?.[2];
      const tag = /json:"([^"]*)"/.exec(tags ?? "")?.[1];
      const [name, ...options] = (tag ?? "").split(",");
      const patchStrategy = /patchStrategy:"([^"]*)"/.exec(tags ?? "")?.[1];
      const patchMergeKey = /patchMergeKey:"([^"]*)"/.exec(tags ?? "")?.[1];
      const common = { omitempty: options.includes("omitempty"), markers: comments, patchStrategy, patchMergeKey };
      if (field && name !== "-") {
        struct.fields.push({ json: tag === undefined || name === "" ? field[1]! : name!, type: parseType(field[2]!, importPath, imports), ...common });
      } else if (embedded && name !== "-") {
        // An embedded struct without a JSON name has its fields promoted (`json:",inline"` or no tag).
        struct.fields.push({ json: name ?? "", type: parseType(embedded[1]!, importPath, imports), ...common });
      }
      comments = [];
      continue;
    }
    const decl = /^type (\w+) (.+)$/.exec(line);
    if (decl) {
      if (decl[2]!.trim() === "struct {") struct = { name: decl[1]!, fields: [], markers: comments };
      else if (!decl[2]!.startsWith("=") && !decl[2]!.startsWith("interface")) pkg.decls.set(decl[1]!, { struct: false, underlying: parseType(decl[2]!, importPath, imports), markers: comments });
    }
    comments = [];
  }
}

/** The JSON fields of a struct, embedded structs' fields promoted. */
function structFields(pkgPath: string, name: string, depth = 0): GoField[] | undefined {
  const decl = loadPackage(pkgPath)?.decls.get(name);
  if (!decl?.struct || depth > 8) return undefined;
  const out: GoField[] = [];
  for (const f of decl.fields) {
    if (f.json !== "") {
      out.push(f);
      continue;
    }
    let t = f.type;
    while (t.kind === "pointer") t = t.elem;
    if (t.kind === "named") out.push(...(structFields(t.pkg, t.name, depth + 1) ?? []));
  }
  return out;
}

const markerValue = (markers: Array<[string, string]>, name: string): string | undefined => markers.find(([k]) => k === name)?.[1];
const markerValues = (markers: Array<[string, string]>, name: string): string[] => markers.filter(([k]) => k === name).map(([, v]) => v);

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
