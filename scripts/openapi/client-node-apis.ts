/**
 * Reads the operations of @kubernetes/client-node's API classes (dist/gen/apis/*Api.js): for each
 * method its HTTP method, URL path, request body model and 200-response model. The models do not
 * say which API group they belong to; the operations do, because each group's paths carry it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as clientNode from "@kubernetes/client-node";
import { clientNodeGenDir } from "./client-node-models.ts";

export interface Operation {
  /** API class the method is on ("AppsV1Api"). */
  api: string;
  method: string;
  http: string;
  path: string;
  bodyModel?: string;
  responseModel?: string;
}

/**
 * Operations of the API classes the package exports (dist also keeps stale classes of group
 * versions upstream removed).
 */
export function readOperations(): Operation[] {
  const dir = join(clientNodeGenDir(), "apis");
  const exported = new Set(Object.keys(clientNode));
  const ops: Operation[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!/^[A-Z]\w*Api\.js$/.test(file)) continue;
    const api = file.slice(0, -3);
    if (!exported.has(api)) continue;
    const text = readFileSync(join(dir, file), "utf8");
    const split = text.indexOf(`export class ${api}ResponseProcessor`);
    if (split < 0) throw new Error(`${file}: no ${api}ResponseProcessor`);
    const responses = responseModels(text.slice(split));
    for (const [method, body] of methodBodies(text.slice(0, split))) {
      const path = /const localVarPath = '([^']+)'/.exec(body)?.[1];
      const http = /makeRequestContext\(localVarPath, HttpMethod\.(\w+)\)/.exec(body)?.[1];
      if (!path || !http) throw new Error(`${api}.${method}: no path or HTTP method`);
      const bodyModel = /ObjectSerializer\.serialize\(body, "(\w+)"/.exec(body)?.[1];
      ops.push({ api, method, http, path, bodyModel, responseModel: responses.get(method) });
    }
  }
  return ops;
}

/** Method name -> source text, for the `async name(...) {` methods of a class body. */
function methodBodies(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const starts = [...text.matchAll(/^ {4}async (\w+)\(/gm)];
  starts.forEach((m, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : text.length;
    out.set(m[1]!, text.slice(m.index, end));
  });
  return out;
}

/** Method name -> the model its 200 response is decoded as. */
function responseModels(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, body] of methodBodies(text)) {
    if (!name.endsWith("WithHttpInfo")) continue;
    const ok = body.indexOf(`isCodeInRange("200"`);
    if (ok < 0) continue;
    const model = /ObjectSerializer\.deserialize\([^;]*?, "(\w+)", ""\)/.exec(body.slice(ok))?.[1];
    if (model) out.set(name.slice(0, -"WithHttpInfo".length), model);
  }
  return out;
}
