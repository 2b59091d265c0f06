import { expect, test } from "bun:test";
import { ChainNames } from "./names.ts";

test("chain names are upstream's (the kubernetes Service's well-known KUBE-SVC chain)", () => {
  const n = new ChainNames();
  expect(n.svc("default/kubernetes:https", "TCP")).toBe("KUBE-SVC-NPX46M4PTMTKRN6Y");
  expect(n.isServiceChain(n.sep("default/kubernetes:https", "tcp", "10.0.0.1:6443"))).toBe(true);
});
