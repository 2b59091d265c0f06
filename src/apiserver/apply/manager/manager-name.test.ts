import { expect, test } from "bun:test";
import { fieldManagerProblems, inProcessManager, managerFromUserAgent, managerOrUserAgent } from "./manager-name.ts";

test("the manager of a request: fieldManager, else the User-Agent up to its first /", () => {
  expect(managerOrUserAgent("kubectl-edit", "kubectl/v1.32.5 (linux/amd64) kubernetes/abc")).toBe("kubectl-edit");
  expect(managerOrUserAgent(null, "kubectl/v1.32.5 (linux/amd64) kubernetes/abc")).toBe("kubectl");
  expect(managerOrUserAgent("", "Go-http-client/1.1")).toBe("Go-http-client");
  expect(managerOrUserAgent(null, null)).toBe("");
  expect(managerFromUserAgent("bad\u0007agent/1")).toBe("badagent");
  expect(managerFromUserAgent("x".repeat(200))).toHaveLength(128);
});

test("fieldManager must be printable and at most 128 bytes", () => {
  expect(fieldManagerProblems("kubectl")).toEqual([]);
  expect(fieldManagerProblems("a\tb")).toEqual([{ type: "FieldValueInvalid", field: "fieldManager", value: "a\tb", detail: "invalid character U+0009 (at position 1)" }]);
  expect(fieldManagerProblems("é".repeat(65))).toEqual([{ type: "FieldValueTooLong", field: "fieldManager", detail: "may not be more than 128 bytes" }]);
});

test("writes made inside the server are recorded under the component upstream runs them in", () => {
  expect(inProcessManager("system:kube-controller-manager")).toBe("kube-controller-manager");
  expect(inProcessManager("system:apiserver")).toBe("kube-apiserver");
  expect(inProcessManager("system:kube-scheduler")).toBe("kube-scheduler");
  expect(inProcessManager("system:node:n1")).toBe("kubelet");
});
