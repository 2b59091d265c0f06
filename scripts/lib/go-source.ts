/**
 * A small reader of Go API type sources (k8s.io/api and friends), for the generators that turn
 * Kubernetes' Go types into data kts ships: struct fields with their JSON names, tags and
 * `+marker=value` comments, named types, and constants. It reads only what API type files use
 * (one declaration per line, gofmt layout); it is not a Go parser.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type GoType =
  | { kind: "builtin"; name: string }
  | { kind: "named"; pkg: string; name: string }
  | { kind: "pointer"; elem: GoType }
  | { kind: "slice"; elem: GoType }
  | { kind: "map"; key: GoType; elem: GoType };

export type Markers = Array<[string, string]>;

export interface GoField {
  /** JSON name; "" for an embedded struct whose fields are promoted (`json:",inline"` or no tag). */
  json: string;
  omitempty: boolean;
  type: GoType;
  /** `+name=value` comment markers above the field, in order. */
  markers: Markers;
  patchStrategy?: string;
  patchMergeKey?: string;
}

export type GoDecl = { struct: true; fields: GoField[]; markers: Markers } | { struct: false; underlying: GoType; markers: Markers };

export interface GoPackage {
  /** The name in the `package` clause. */
  name: string;
  decls: Map<string, GoDecl>;
  /** Constant name -> its literal value (for `+default=ref(Name)`). */
  consts: Map<string, string>;
}

const BUILTINS = new Set(["string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune", "any"]);

/** "io.k8s.api.core.v1.PodSpec" -> ["k8s.io/api/core/v1", "PodSpec"] */
export function goHome(definition: string): [string, string] | undefined {
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

function marker(line: string): [string, string] | undefined {
  const m = /^\s*\/\/\s*\+([\w.:-]+)(?:=(.*))?$/.exec(line);
  return m ? [m[1]!, (m[2] ?? "").trim()] : undefined;
}

/** One struct field line (or embedded struct line), with its tags; undefined for other lines or `json:"-"`. */
function parseField(line: string, markers: Markers, importPath: string, imports: Map<string, string>): GoField | undefined {
  const field = /^\t(\w+)\s+([^\s`]+)\s*(`.*`)?\s*$/.exec(line);
  const embedded = field ? undefined : /^\t(\*?[\w.]+)\s*(`.*`)?\s*$/.exec(line);
  if (!field && !embedded) return undefined;
  const tags = field ? field[3] : embedded?.[2];
  const tag = /json:"([^"]*)"/.exec(tags ?? "")?.[1];
  const [name, ...options] = (tag ?? "").split(",");
  if (name === "-") return undefined;
  const common = {
    omitempty: options.includes("omitempty"),
    markers,
    patchStrategy: /patchStrategy:"([^"]*)"/.exec(tags ?? "")?.[1],
    patchMergeKey: /patchMergeKey:"([^"]*)"/.exec(tags ?? "")?.[1],
  };
  if (field) return { json: tag === undefined || name === "" ? field[1]! : name!, type: parseType(field[2]!, importPath, imports), ...common };
  return { json: name ?? "", type: parseType(embedded![1]!, importPath, imports), ...common };
}

function parseFile(text: string, importPath: string, pkg: GoPackage): void {
  const imports = new Map<string, string>();
  let inImports = false;
  let inConsts = false;
  let struct: { name: string; fields: GoField[]; markers: Markers } | undefined;
  let comments: Markers = [];
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
    if (line.startsWith("package ")) pkg.name = line.slice(8).trim();
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
      } else {
        const field = parseField(line, comments, importPath, imports);
        if (field) struct.fields.push(field);
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

/**
 * The Go packages under `root`, which holds one directory per module at the emulated release
 * (e.g. `git archive v0.32.13` of each): root/api, root/apimachinery, root/apiextensions-apiserver,
 * root/kube-aggregator. Packages are read on first use.
 */
export class GoSource {
  private readonly packages = new Map<string, GoPackage | undefined>();

  constructor(private readonly root: string) {}

  /** True when `root` looks like such a directory. */
  static usable(root: string | undefined): root is string {
    return !!root && existsSync(join(root, "api"));
  }

  /** "k8s.io/api/core/v1" -> <root>/api/core/v1 */
  private packageDir(importPath: string): string | undefined {
    const m = /^k8s\.io\/([^/]+)\/?(.*)$/.exec(importPath);
    return m ? join(this.root, m[1]!, m[2]!) : undefined;
  }

  package(importPath: string): GoPackage | undefined {
    if (this.packages.has(importPath)) return this.packages.get(importPath);
    const dir = this.packageDir(importPath);
    let pkg: GoPackage | undefined;
    if (dir && existsSync(dir)) {
      pkg = { name: "", decls: new Map(), consts: new Map() };
      const files = readdirSync(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && !f.startsWith("zz_generated") && !f.startsWith("generated."));
      for (const f of files) parseFile(readFileSync(join(dir, f), "utf8"), importPath, pkg);
    }
    this.packages.set(importPath, pkg);
    return pkg;
  }

  decl(pkgPath: string, name: string): GoDecl | undefined {
    return this.package(pkgPath)?.decls.get(name);
  }

  /** The JSON fields of a struct, with embedded structs' fields promoted. */
  structFields(pkgPath: string, name: string, depth = 0): GoField[] | undefined {
    const decl = this.decl(pkgPath, name);
    if (!decl?.struct || depth > 8) return undefined;
    const out: GoField[] = [];
    for (const f of decl.fields) {
      if (f.json !== "") {
        out.push(f);
        continue;
      }
      let t = f.type;
      while (t.kind === "pointer") t = t.elem;
      if (t.kind === "named") out.push(...(this.structFields(t.pkg, t.name, depth + 1) ?? []));
    }
    return out;
  }
}
