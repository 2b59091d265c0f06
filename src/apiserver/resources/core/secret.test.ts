import { describe, expect, test } from "bun:test";
import { secretDefinition as def } from "./secret.ts";
import { ago, create, headers, row, selectable, update } from "./testing.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (extra: object) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, ...extra });

describe("secrets: defaults", () => {
  test("type Opaque; stringData is merged into data and dropped", () => {
    const { obj, errors } = create(def, secret({ data: { a: b64("old"), b: b64("keep") }, stringData: { a: "new", c: "ü" } }));
    expect(errors).toEqual([]);
    expect(obj.type).toBe("Opaque");
    expect(obj.data).toEqual({ a: b64("new"), b: b64("keep"), c: b64("ü") });
    expect(obj.stringData).toBeUndefined();
  });
});

describe("secrets: validation", () => {
  test.each<[string, object, string[]]>([
    ["opaque", { data: { "tls.key": b64("x") } }, []],
    ["tls without key", { type: "kubernetes.io/tls", data: { "tls.crt": b64("c") } }, ["data[tls.key]: Required value"]],
    ["tls complete", { type: "kubernetes.io/tls", data: { "tls.crt": b64("c"), "tls.key": b64("k") } }, []],
    ["basic-auth with neither key", { type: "kubernetes.io/basic-auth", data: {} }, ["data[username]: Required value", "data[password]: Required value"]],
    ["basic-auth with one key", { type: "kubernetes.io/basic-auth", stringData: { username: "u" } }, []],
    ["ssh-auth", { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": "" } }, ["data[ssh-privatekey]: Required value"]],
    ["dockerconfigjson missing", { type: "kubernetes.io/dockerconfigjson" }, ["data[.dockerconfigjson]: Required value"]],
    [
      "dockerconfigjson not JSON",
      { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": "auths" } },
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'a\' looking for beginning of value'],
    ],
    ["dockerconfigjson valid", { type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": '{"auths":{}}' } }, []],
    [
      "service account token needs the annotation",
      { type: "kubernetes.io/service-account-token" },
      ["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
    ],
    ["size", { data: { a: b64("x".repeat(1024 * 1024 + 1)) } }, ["data: Too long: may not be more than 1048576 bytes"]],
  ])("%s", (_n, extra, want) => {
    expect(create(def, secret(extra)).errors).toEqual(want);
  });

  test("type is immutable; immutable secrets keep data", () => {
    const stored = create(def, secret({ data: { a: b64("1") }, immutable: true })).obj;
    expect(update(def, secret({ type: "kubernetes.io/tls", data: { a: b64("2"), "tls.crt": "", "tls.key": "" }, immutable: true }), stored).errors).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });
});

describe("secrets: table and selectors", () => {
  test("TYPE and DATA", () => {
    expect(headers(def)).toEqual(["Name", "Type", "Data", "Age"]);
    const s = secret({ metadata: { name: "tls", creationTimestamp: ago(7_200_000) }, type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } });
    expect(row(def, s)).toEqual({ Name: "tls", Type: "kubernetes.io/tls", Data: 2, Age: "120m" });
    expect(selectable(def, s)).toEqual({ type: "kubernetes.io/tls" });
  });
});
