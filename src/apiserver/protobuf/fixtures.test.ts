/**
 * Request bodies captured from the real kubectl 1.32.5 (testdata/captures.json says which
 * command sent each). For `kubectl create ...` the expected JSON is kubectl's own
 * `--dry-run=client -o json` output for the same command: Go's json.Marshal of the very object it
 * sent. Decoding must give that object exactly (key order included), and re-encoding must give
 * back the captured bytes.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeObject, encodeObject } from "./index.ts";

interface Capture {
  name: string;
  command: string;
  request: string;
  contentType: string;
  accept: string;
  expected: string;
}

const dir = join(import.meta.dir, "testdata");
const captures = JSON.parse(readFileSync(join(dir, "captures.json"), "utf8")) as Capture[];
const body = (name: string) => new Uint8Array(readFileSync(join(dir, `${name}.pb`)));
const expected = (name: string): unknown => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));

describe("kubectl 1.32 protobuf request bodies", () => {
  test("the six commands the wire notes name are all captured", () => {
    const names = captures.map((c) => c.name);
    for (const n of ["create-configmap", "create-secret-generic", "create-deployment", "create-service-clusterip", "auth-can-i", "auth-whoami"]) expect(names).toContain(n);
    for (const c of captures) {
      expect(c.contentType).toBe("application/vnd.kubernetes.protobuf");
      expect(c.accept).toBe("application/vnd.kubernetes.protobuf,application/json");
    }
  });

  for (const c of captures) {
    test(`${c.command}: decodes to the exact JSON and re-encodes byte for byte`, () => {
      const bytes = body(c.name);
      const obj = decodeObject(bytes);
      // Stringify comparison also pins key order to Go's.
      expect(JSON.stringify(obj)).toBe(JSON.stringify(expected(c.name)));
      expect(Buffer.from(encodeObject(obj)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  test("spot checks of value forms", () => {
    const secret = decodeObject(body("create-secret-generic")) as Record<string, unknown>;
    expect(secret.data).toEqual({ p: Buffer.from("q").toString("base64") });
    const svc = decodeObject(body("create-service-clusterip")) as { spec: { ports: Array<Record<string, unknown>> } };
    expect(svc.spec.ports[0]).toEqual({ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 });
    const pdb = decodeObject(body("create-pdb")) as { spec: Record<string, unknown> };
    expect(pdb.spec.minAvailable).toBe("50%");
    const dep = decodeObject(body("create-deployment")) as Record<string, any>;
    expect(dep.metadata).toEqual({ name: "web", creationTimestamp: null, labels: { app: "web" } });
    expect(dep.status).toEqual({});
    const ssar = decodeObject(body("auth-can-i")) as Record<string, any>;
    expect(ssar.spec).toEqual({ resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } });
  });
});
