/**
 * Generates src/apiserver/openapi/go-field-types.json: the Go types of built-in API fields whose
 * name the OpenAPI schema cannot carry, for the type errors the API server words as Go's JSON
 * decoder does ("cannot unmarshal number into Go struct field Container.spec.containers.
 * imagePullPolicy of type v1.PullPolicy"). The schema says "string"; the Go field is a named type.
 *
 * It reads the Go API types of Kubernetes 1.32 from source and, for every field of every
 * definition in definitions.json.gz, compares the Go type with what the schema implies
 * (goTypeOfSchema); only the differences are written.
 *
 *   bun scripts/gen-go-field-types.ts <dir>
 *
 * <dir> holds the modules at the release being emulated, one directory each, e.g. from
 * `git archive v0.32.13` of each repository or from $GOMODCACHE/k8s.io/<module>@v0.32.13:
 *   <dir>/api  <dir>/apimachinery  <dir>/apiextensions-apiserver  <dir>/kube-aggregator
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDefinitions } from "../src/apiserver/openapi/definitions.ts";
import { goTypeOfSchema, type GoFieldTypesFile } from "../src/apiserver/openapi/go-types.ts";
import { refName, type Schema } from "../src/apiserver/openapi/schema.ts";

export const OUTPUT = join(import.meta.dir, "..", "src", "apiserver", "openapi", "go-field-types.json");

type GoType =
  | { kind: "builtin"; name: string }
  | { kind: "named"; pkg: string; name: string }
  | { kind: "pointer"; elem: GoType }
  | { kind: "slice"; elem: GoType }
  | { kind: "map"; key: GoType; elem: GoType };

interface GoField {
  /** The JSON name; "" for an embedded struct whose fields are promoted (`json:",inline"`). */
  json: string;
  type: GoType;
}

type GoDecl = { struct: true; fields: GoField[] } | { struct: false; underlying: GoType };

interface GoPackage {
  name: string;
  decls: Map<string, GoDecl>;
}

const BUILTINS = new Set(["string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune", "any"]);

const root = process.argv[2];
if (!root || !existsSync(join(root, "api"))) {
  console.error("usage: bun scripts/gen-go-field-types.ts <dir with api/, apimachinery/, apiextensions-apiserver/, kube-aggregator/>");
  process.exit(2);
}

/** "k8s.io/api/core/v1" -> <root>/api/core/v1 */
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
    const alias = e.slice(0, dot);
    const path = imports.get(alias);
    if (!path) throw new Error(`unknown import ${alias} in ${pkg}`);
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
    pkg = { name: "", decls: new Map() };
    const files = readdirSync(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && !f.startsWith("zz_generated") && !f.startsWith("generated."));
    for (const f of files) parseFile(readFileSync(join(dir, f), "utf8"), importPath, pkg);
  }
  packages.set(importPath, pkg);
  return pkg;
}

function parseFile(text: string, importPath: string, pkg: GoPackage): void {
  const lines = text.split("\n");
  const imports = new Map<string, string>();
  let inImports = false;
  let struct: { name: string; fields: GoField[] } | undefined;
  for (const raw of lines) {
    const line = raw.replace(/\s+\/\/.*$/, "");
    if (line.startsWith("package ")) pkg.name = line.slice(8).trim();
    if (line === "import (") inImports = true;
    else if (inImports && line === ")") inImports = false;
    const imp = (inImports ? /^\s*(\w+\s+)?"([^"]+)"/ : /^import\s+(\w+\s+)?"([^"]+)"/).exec(line);
    if (imp && (inImports || line.startsWith("import"))) {
      const path = imp[2]!;
      imports.set(imp[1]?.trim() ?? path.slice(path.lastIndexOf("/") + 1), path);
      continue;
    }
    if (struct) {
      if (line === "}") {
        pkg.decls.set(struct.name, { struct: true, fields: struct.fields });
        struct = undefined;
        continue;
      }
      const field = /^\t(\w+)\s+([^\s`]+)\s*(`.*`)?\s*$/.exec(line);
      const embedded = /^\t(\*?[\w.]+)\s*(`.*`)?\s*$/.exec(line);
      if (field) {
        const tag = /json:"([^"]*)"/.exec(field[3] ?? "")?.[1];
        const name = tag === undefined ? field[1]! : tag.split(",")[0]!;
        if (name !== "-") struct.fields.push({ json: name === "" ? field[1]! : name, type: parseType(field[2]!, importPath, imports) });
      } else if (embedded) {
        const tag = /json:"([^"]*)"/.exec(embedded[2] ?? "")?.[1];
        const name = tag?.split(",")[0] ?? "";
        if (name !== "-") struct.fields.push({ json: name, type: parseType(embedded[1]!, importPath, imports) });
      }
      continue;
    }
    const decl = /^type (\w+) (.+)$/.exec(line);
    if (!decl) continue;
    if (decl[2]!.trim() === "struct {") struct = { name: decl[1]!, fields: [] };
    else if (!decl[2]!.startsWith("=") && !decl[2]!.startsWith("interface")) pkg.decls.set(decl[1]!, { struct: false, underlying: parseType(decl[2]!, importPath, imports) });
  }
}

function render(t: GoType): string {
  switch (t.kind) {
    case "builtin":
      return t.name === "byte" ? "uint8" : t.name === "rune" ? "int32" : t.name === "any" ? "interface {}" : t.name;
    case "named":
      return `${loadPackage(t.pkg)?.name ?? t.pkg.slice(t.pkg.lastIndexOf("/") + 1)}.${t.name}`;
    case "pointer":
      return `*${render(t.elem)}`;
    case "slice":
      return `[]${render(t.elem)}`;
    case "map":
      return `map[${render(t.key)}]${render(t.elem)}`;
  }
}

/** The JSON fields of a struct, with embedded structs' fields promoted. */
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

/** Named slice and map types met, by their rendered name. */
const named = new Map<string, string>();

function collectNamed(t: GoType): void {
  switch (t.kind) {
    case "named": {
      const decl = loadPackage(t.pkg)?.decls.get(t.name);
      if (decl && !decl.struct && (decl.underlying.kind === "slice" || decl.underlying.kind === "map")) {
        named.set(render(t), render(decl.underlying));
        collectNamed(decl.underlying);
      }
      return;
    }
    case "pointer":
    case "slice":
      return collectNamed(t.elem);
    case "map":
      collectNamed(t.key);
      return collectNamed(t.elem);
  }
}

const defs = builtinDefinitions().definitions;
const resolve = (name: string): Schema | undefined => defs[refName(name)];
const fields: GoFieldTypesFile["fields"] = {};
const missing: string[] = [];
const scalarMismatch: string[] = [];

for (const [definition, schema] of Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))) {
  if (!schema.properties) continue;
  const home = goHome(definition);
  const goFields = home && structFields(home[0], home[1]);
  if (!goFields) {
    missing.push(definition);
    continue;
  }
  const byJson = new Map(goFields.map((f) => [f.json, f.type]));
  for (const [prop, propSchema] of Object.entries(schema.properties)) {
    let t = byJson.get(prop);
    if (!t) continue;
    while (t.kind === "pointer") t = t.elem;
    collectNamed(t);
    const goType = render(t);
    const fromSchema = goTypeOfSchema(propSchema, resolve);
    if (goType === fromSchema) continue;
    (fields[definition] ??= {})[prop] = goType;
    // A basic type the schema gets wrong would change what is accepted, not just the wording.
    const basic = /^(?:u?int\d*|float\d+|bool|string)$/;
    if (basic.test(goType) && basic.test(fromSchema)) scalarMismatch.push(`${definition}.${prop}: go ${goType}, schema ${fromSchema}`);
  }
}

const file: GoFieldTypesFile = {
  "//": "Generated by scripts/gen-go-field-types.ts from the Go API types of Kubernetes v0.32.13; do not edit.",
  fields,
  named: Object.fromEntries([...named].sort(([a], [b]) => a.localeCompare(b))),
};
// One definition per line keeps diffs readable.
const body = Object.entries(file.fields)
  .map(([d, f]) => `    ${JSON.stringify(d)}: ${JSON.stringify(f)}`)
  .join(",\n");
writeFileSync(OUTPUT, `{\n  "//": ${JSON.stringify(file["//"])},\n  "fields": {\n${body}\n  },\n  "named": ${JSON.stringify(file.named, null, 4).replace(/\n}$/, "\n  }")}\n}\n`);
console.error(`wrote ${OUTPUT}: ${Object.keys(fields).length} definitions, ${Object.values(fields).reduce((n, f) => n + Object.keys(f).length, 0)} fields, ${named.size} named composite types`);
if (missing.length) console.error(`no Go struct for ${missing.length} definitions (newer than the Go sources, or not structs): ${missing.join(", ")}`);
if (scalarMismatch.length) console.error(`scalar types the schema disagrees on:\n  ${scalarMismatch.join("\n  ")}`);
