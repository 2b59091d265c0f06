import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { leaseDefinition } from "./leases.ts";

const base: KubeObject = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "kube-scheduler", namespace: "kube-system" } };

describe("leases", () => {
  test("an empty spec is written as {}", () => {
    expect(create(leaseDefinition, base).obj.spec).toEqual({});
  });

  test("accepts what client-go leader election writes", () => {
    const { obj, errors } = create(leaseDefinition, {
      ...base,
      spec: { holderIdentity: "node1_abc", leaseDurationSeconds: 15, acquireTime: "2025-01-01T00:00:00.000000Z", renewTime: "2025-01-01T00:00:10.000000Z", leaseTransitions: 0 },
    });
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ holderIdentity: "node1_abc", leaseDurationSeconds: 15 });
  });

  test.each([
    [{ leaseDurationSeconds: 0 }, "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"],
    [{ leaseDurationSeconds: -5 }, "spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0"],
    [{ leaseTransitions: -1 }, "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"],
  ])("rejects %p", (spec, message) => {
    expect(create(leaseDefinition, { ...base, spec }).errors).toEqual([message]);
  });

  test("the alpha coordinated-election fields are dropped unless already stored", () => {
    const created = create(leaseDefinition, { ...base, spec: { strategy: "OldestEmulationVersion", preferredHolder: "a" } }).obj;
    expect(created.spec).toEqual({});
    const old = { ...created, spec: { strategy: "OldestEmulationVersion" } };
    const updated = update(leaseDefinition, { ...base, spec: { strategy: "OldestEmulationVersion", preferredHolder: "b" } }, old).obj;
    expect(updated.spec).toEqual({ strategy: "OldestEmulationVersion" });
  });

  test("prints HOLDER and AGE", () => {
    const obj = { ...base, metadata: { ...base.metadata, creationTimestamp: new Date(NOW - 90_000).toISOString() }, spec: { holderIdentity: "node1" } };
    expect(cells(leaseDefinition, obj)).toEqual({ Name: "kube-scheduler", Holder: "node1", Age: "90s" });
    expect(cells(leaseDefinition, { ...base, spec: {} }).Holder).toBe("");
  });

  test("discovery metadata", () => {
    expect(leaseDefinition).toMatchObject({ group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true, allowCreateOnUpdate: true });
    expect(leaseDefinition.shortNames).toBeUndefined();
  });
});
