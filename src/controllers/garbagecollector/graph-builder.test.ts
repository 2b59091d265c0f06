import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { AbsentOwners } from "./absent-owners.ts";
import { Graph } from "./graph.ts";
import { alternateOwnerIdentity, GraphBuilder, type GcQueues } from "./graph-builder.ts";
import type { Identity, OwnerReference } from "./identity.ts";

/** A builder whose queues record what they were given. */
function builder() {
  const queued: string[] = [];
  const queues: GcQueues = {
    attemptToDelete: (uid) => void queued.push(`delete ${uid}`),
    attemptToDeleteLater: (uid) => void queued.push(`later ${uid}`),
    attemptToOrphan: (uid) => void queued.push(`orphan ${uid}`),
  };
  const absent = new AbsentOwners();
  const b = new GraphBuilder(new Graph(), queues, absent);
  const take = () => queued.splice(0);
  return { b, graph: b.graph, absent, take };
}

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: "v1", kind: "ConfigMap", name: `cm-${uid}`, uid, ...extra });

function cm(uid: string, opts: { owners?: OwnerReference[]; namespace?: string; deleting?: boolean; finalizers?: string[] } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `cm-${uid}`,
      namespace: opts.namespace ?? "ns",
      uid,
      ownerReferences: opts.owners,
      finalizers: opts.finalizers,
      deletionTimestamp: opts.deleting ? "2025-01-01T00:00:00Z" : undefined,
    },
  };
}

const add = (obj: KubeObject) => ({ type: "add" as const, apiVersion: "v1", kind: "ConfigMap", obj });
const update = (old: KubeObject, obj: KubeObject) => ({ type: "update" as const, apiVersion: "v1", kind: "ConfigMap", obj, old });
const del = (obj: KubeObject) => ({ type: "delete" as const, apiVersion: "v1", kind: "ConfigMap", obj });

describe("graph", () => {
  test("an owner known only from a reference is a virtual node, checked by a worker", () => {
    const { b, graph, take } = builder();
    b.observe(add(cm("dep", { owners: [ref("own")] })));
    expect(graph.get("own")).toMatchObject({ virtual: true, identity: { name: "cm-own", namespace: "ns" } });
    expect([...graph.get("own")!.dependents].map((d) => d.uid)).toEqual(["dep"]);
    expect(take()).toEqual(["delete own"]);
    // Once an informer shows it, it is an ordinary node.
    b.observe(add(cm("own")));
    expect(graph.get("own")?.virtual).toBe(false);
    expect(take()).toEqual([]);
  });

  test("deleting an owner hands its dependents to the workers and records it absent", () => {
    const { b, graph, absent, take } = builder();
    b.observe(add(cm("own")));
    b.observe(add(cm("d1", { owners: [ref("own")] })));
    b.observe(add(cm("d2", { owners: [ref("own")] })));
    take();
    b.observe(del(cm("own")));
    expect(graph.get("own")).toBeUndefined();
    expect(take().sort()).toEqual(["delete d1", "delete d2"]);
    expect(absent.has({ apiVersion: "v1", kind: "ConfigMap", name: "cm-own", uid: "own", namespace: "ns" })).toBe(true);
  });

  test("owner references changing: nodes move between owners; an unblocking change wakes the owner", () => {
    const { b, graph, take } = builder();
    b.observe(add(cm("a")));
    b.observe(add(cm("b")));
    const before = cm("dep", { owners: [ref("a", { blockOwnerDeletion: true })] });
    b.observe(add(before));
    const after = cm("dep", { owners: [ref("b")] });
    take();
    b.observe(update(before, after));
    expect(graph.get("a")!.dependents.size).toBe(0);
    expect([...graph.get("b")!.dependents].map((d) => d.uid)).toEqual(["dep"]);
    expect(take()).toEqual(["delete a"]);
  });

  test("a deletion with the orphan finalizer goes to the orphan queue; with foregroundDeletion, dependents and owner to the delete queue", () => {
    const { b, graph, take } = builder();
    const owner = cm("own");
    b.observe(add(owner));
    b.observe(add(cm("dep", { owners: [ref("own")] })));
    take();
    b.observe(update(owner, cm("own", { deleting: true, finalizers: ["orphan"] })));
    expect(take()).toEqual(["orphan own"]);

    const fg = cm("fg");
    b.observe(add(fg));
    b.observe(add(cm("fg-dep", { owners: [ref("fg")] })));
    take();
    b.observe(update(fg, cm("fg", { deleting: true, finalizers: ["foregroundDeletion"] })));
    expect(graph.get("fg")?.deletingDependents).toBe(true);
    expect(take()).toEqual(["delete fg-dep", "delete fg"]);
    // An update that changes nothing about the deletion queues nothing again.
    b.observe(update(cm("fg", { deleting: true, finalizers: ["foregroundDeletion"] }), cm("fg", { deleting: true, finalizers: ["foregroundDeletion"] })));
    expect(take()).toEqual([]);
  });

  test("objects already being deleted when first listed (after a restart) start their deletion work", () => {
    const { b, take } = builder();
    b.observe(add(cm("o", { deleting: true, finalizers: ["orphan"] })));
    b.observe(add(cm("f", { deleting: true, finalizers: ["foregroundDeletion"] })));
    expect(take()).toEqual(["orphan o", "delete f"]);
  });

  test("a dependent gone while its owner deletes in the foreground wakes the owner", () => {
    const { b, take } = builder();
    b.observe(add(cm("own", { deleting: true, finalizers: ["foregroundDeletion"] })));
    const dep = cm("dep", { owners: [ref("own", { blockOwnerDeletion: true })] });
    b.observe(add(dep));
    take();
    b.observe(del(dep));
    expect(take()).toEqual(["delete own"]);
  });

  test("blocking dependents are those whose reference has blockOwnerDeletion", () => {
    const { b, graph } = builder();
    b.observe(add(cm("own")));
    b.observe(add(cm("blocking", { owners: [ref("own", { blockOwnerDeletion: true })] })));
    b.observe(add(cm("loose", { owners: [ref("own")] })));
    expect(graph.get("own")!.blockingDependents().map((d) => d.uid)).toEqual(["blocking"]);
  });

  test("a reference naming a known owner with other coordinates makes the dependent suspect", () => {
    const { b, take } = builder();
    b.observe(add(cm("own")));
    take();
    b.observe(add(cm("dep", { owners: [ref("own", { name: "someone-else" })] })));
    expect(take()).toEqual(["delete dep"]);
    b.observe(add(cm("elsewhere", { namespace: "other", owners: [ref("own")] })));
    expect(take()).toEqual(["delete elsewhere"]);
  });
});

describe("virtual deletes (a worker found the owner absent)", () => {
  test("a virtual owner verified absent is dropped and its dependents handed on", () => {
    const { b, graph, take } = builder();
    b.observe(add(cm("dep", { owners: [ref("ghost")] })));
    take();
    b.virtualDelete(graph.get("ghost")!.identity);
    expect(graph.get("ghost")).toBeUndefined();
    expect(take()).toEqual(["delete dep"]);
  });

  test("dependents naming the uid with other coordinates keep the node, re-identified and checked again", () => {
    const { b, graph, absent, take } = builder();
    b.observe(add(cm("d1", { owners: [ref("x", { name: "first" })] })));
    b.observe(add(cm("d2", { owners: [ref("x", { name: "second" })] })));
    take();
    const first = graph.get("x")!.identity;
    b.virtualDelete(first);
    expect(take()).toEqual(["delete d1", "later x"]);
    expect(absent.has(first)).toBe(true);
    expect(graph.get("x")?.identity.name).toBe("second");
  });

  test("an observed node is not removed by a virtual delete under other coordinates; only matching dependents are handed on", () => {
    const { b, graph, take } = builder();
    b.observe(add(cm("real")));
    b.observe(add(cm("wrong-ref", { owners: [ref("real", { kind: "Secret" })] })));
    take();
    const wrong: Identity = { apiVersion: "v1", kind: "Secret", name: "cm-real", uid: "real", namespace: "ns" };
    b.virtualDelete(wrong);
    expect(graph.get("real")).toBeDefined();
    expect(take()).toEqual(["delete wrong-ref"]);
  });

  test("alternate identities come in upstream's order, after the absent one", () => {
    const { b, graph } = builder();
    b.observe(add(cm("d1", { owners: [ref("x", { name: "b" })] })));
    b.observe(add(cm("d2", { owners: [ref("x", { name: "a" })] })));
    b.observe(add(cm("d3", { owners: [ref("x", { name: "c" })] })));
    const deps = [...graph.get("x")!.dependents];
    const absentB: Identity = { apiVersion: "v1", kind: "ConfigMap", name: "b", uid: "x", namespace: "ns" };
    expect(alternateOwnerIdentity(deps, absentB)?.name).toBe("c");
    const absentC: Identity = { ...absentB, name: "c" };
    expect(alternateOwnerIdentity(deps, absentC)?.name).toBe("a");
  });
});
