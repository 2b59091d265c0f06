/**
 * Reads the model classes of @kubernetes/client-node: the field list (JSON name, TypeScript type,
 * format) from each class's static `attributeTypeMap`, and the descriptions and required-ness
 * from the JSDoc of its .d.ts (the generator dropped both from the runtime classes).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as clientNode from "@kubernetes/client-node";

export interface ModelField {
  /** The JSON name ("default", where the TypeScript property is "_default"). */
  jsonName: string;
  /** The TypeScript type as written in the model: "string", "Array<V1Container>", "{ [key: string]: string; }", ... */
  tsType: string;
  /** OpenAPI format the generator kept: int32, int64, double, byte, date-time, date-time-micro, int-or-string, or "". */
  format: string;
  required: boolean;
  description?: string;
}

export interface Model {
  name: string;
  description?: string;
  fields: ModelField[];
}

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** Directory of the generated model sources inside the installed package. */
export function clientNodeGenDir(): string {
  return join(dirname(fileURLToPath(import.meta.resolve("@kubernetes/client-node"))), "gen");
}

export function clientNodeVersion(): string {
  const pkg = join(clientNodeGenDir(), "..", "..", "package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

/** The upstream release the models were generated from ("release-1.36"), from a model header. */
export function clientNodeSpecVersion(): string {
  const text = readFileSync(join(clientNodeGenDir(), "models", "V1Pod.d.ts"), "utf8");
  return /OpenAPI spec version: (\S+)/.exec(text)?.[1] ?? "unknown";
}

function attributeTypeMap(value: unknown): AttributeType[] | undefined {
  if (typeof value !== "function") return undefined;
  const map = (value as { attributeTypeMap?: unknown }).attributeTypeMap;
  return Array.isArray(map) ? (map as AttributeType[]) : undefined;
}

/**
 * Every model the package exports. The dist directory also holds stale files of models that
 * upstream removed; the package's export list is the authority on what is current.
 */
export function readModels(): Map<string, Model> {
  const modelsDir = join(clientNodeGenDir(), "models");
  const models = new Map<string, Model>();
  for (const [name, value] of Object.entries(clientNode)) {
    const attributes = attributeTypeMap(value);
    if (!attributes) continue;
    const docs = readDocs(join(modelsDir, `${name}.d.ts`), name);
    const fields = attributes.map((a): ModelField => {
      // The .d.ts names properties by their TypeScript name, which is `name`, not the JSON `baseName`.
      const doc = docs.fields.get(a.name);
      if (!doc) throw new Error(`${name}.${a.name}: no declaration in ${name}.d.ts`);
      return { jsonName: a.baseName, tsType: a.type, format: a.format, required: doc.required, description: doc.description };
    });
    models.set(name, { name, description: docs.description, fields });
  }
  return models;
}

interface Docs {
  description?: string;
  fields: Map<string, { required: boolean; description?: string }>;
}

/**
 * The generator writes one JSDoc block per documented property, each a single line of text in
 * which it escaped quotes and backslashes (\' \" \\) as in a JavaScript string, and broke up
 * comment delimiters ("pods/*" became "pods/_*", "*\/scale" became "*_/scale"); undo both.
 */
function readDocs(path: string, className: string): Docs {
  const lines = readFileSync(path, "utf8").split("\n");
  const docs: Docs = { fields: new Map() };
  let pending: string | undefined;
  let inComment = false;
  let commentText: string[] = [];
  let inClass = false;
  let header = false;
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (trimmed === "/**") {
      inComment = true;
      // The file starts with the generator's banner, which can sit right above an undocumented class.
      header = index === 0;
      commentText = [];
      continue;
    }
    if (inComment) {
      if (trimmed === "*/") {
        inComment = false;
        pending = header ? undefined : unescapeDoc(commentText.join(" "));
      } else {
        commentText.push(trimmed.replace(/^\* ?/, ""));
      }
      continue;
    }
    if (trimmed.startsWith(`export declare class ${className} `)) {
      docs.description = pending;
      pending = undefined;
      inClass = true;
      continue;
    }
    const prop = inClass ? /^ {4}'([^']+)'(\?)?:/.exec(line) : null;
    if (prop) {
      docs.fields.set(prop[1]!, { required: prop[2] !== "?", description: pending });
      pending = undefined;
      continue;
    }
    // A JSDoc block documents only the line right after it (the file header is followed by a blank line).
    pending = undefined;
  }
  return docs;
}

function unescapeDoc(text: string): string | undefined {
  const out = text.replace(/\\(.)/g, "$1").replaceAll("/_*", "/*").replaceAll("*_/", "*/").trim();
  return out === "" ? undefined : out;
}
