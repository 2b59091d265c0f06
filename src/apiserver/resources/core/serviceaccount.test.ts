import { expect, test } from "bun:test";
import { serviceAccountDefinition as def } from "./serviceaccount.ts";
import { ago, create, headers, row } from "./testing.ts";

test("serviceaccounts: metadata, secret references trimmed, SECRETS column", () => {
  expect([def.plural, def.shortNames, def.namespaced]).toEqual(["serviceaccounts", ["sa"], true]);
  expect(def.extraSubresources).toEqual([{ name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }]);
  const { obj, errors } = create(def, { metadata: { name: "builder" }, secrets: [{ name: "tok", namespace: "x", uid: "u" }] });
  expect(errors).toEqual([]);
  expect(obj.secrets).toEqual([{ name: "tok" }]);
  expect(headers(def)).toEqual(["Name", "Secrets", "Age"]);
  expect(row(def, { metadata: { name: "default", creationTimestamp: ago(86_400_000 * 3) } })).toEqual({ Name: "default", Secrets: 0, Age: "3d" });
});
