/**
 * The generic store's contract, checked for every built-in resource the way upstream's resttest
 * checks each registry: system metadata on create, generateName, AlreadyExists, reads and watch,
 * optimistic concurrency, no-op updates, generation, status separation, deletion with finalizers
 * and preconditions, dry run, storage keys and deletecollection. Runs in-process over a SQLite
 * store in a temporary directory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext, ResourceDefinition } from "./definition.ts";
import type { ApiWatchEvent, GenericStore } from "./store.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { fixtureFor, minimalObject } from "./conformance-fixtures.ts";
import { Registry } from "./registry.ts";
import { apiFailure as failure } from "../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(() => {
  backend = tempStore();
  registry = new Registry(backend);
  for (const def of builtinDefinitions()) registry.add(def);
});
afterAll(async () => {
  await backend.dispose();
});

const ctx = (namespace: string): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace, dryRun: false, now: Date.now() });


/** The first `count` events of a watch (fails after 3 s), then stops it. */
async function take(events: AsyncGenerator<ApiWatchEvent>, count: number): Promise<ApiWatchEvent[]> {
  const out: ApiWatchEvent[] = [];
  const deadline = Date.now() + 3000;
  try {
    while (out.length < count) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([
        events.next(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`watch gave ${out.length}/${count} events`)), deadline - Date.now()))),
      ]).finally(() => clearTimeout(timer));
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    await events.return(undefined);
  }
  return out;
}

const qualified = (def: ResourceDefinition) => (def.group ? `${def.plural}.${def.group}` : def.plural);
const kindQualified = (def: ResourceDefinition) => (def.group ? `${def.kind}.${def.group}` : def.kind);
const rv = (obj: KubeObject) => obj.metadata!.resourceVersion!;
/** Upstream's storage prefixes where they differ from the plural (SpecialDefaultResourcePrefixes). */
const UPSTREAM_PREFIX: Record<string, string> = {
  "/replicationcontrollers": "controllers",
  "/endpoints": "services/endpoints",
  "/nodes": "minions",
  "/services": "services/specs",
  "events.k8s.io/events": "events",
};

let seq = 0;

/**
 * CRDs have their own suite (src/apiserver/crd): a CRD's name is dictated by its spec
 * (<plural>.<group>) and its deletion is finished by the CRD controller, not by the store.
 */
const OWN_SUITE = new Set(["apiextensions.k8s.io/customresourcedefinitions"]);

// Resources that store nothing (virtual reviews, computed ComponentStatuses) have no store contract to check.
for (const def of builtinDefinitions().filter((d) => !d.virtual && !d.computed && !OWN_SUITE.has(`${d.group}/${d.plural}`))) {
  describe(`${qualified(def)}/${def.version}`, () => {
    const ns = def.namespaced ? "ns-a" : "";
    const store = (): GenericStore => registry.lookup(def.group, def.version, def.plural)!;
    const fixture = fixtureFor(def);
    const fresh = (prefix: string, namespace = ns) => minimalObject(def, `${prefix}-${++seq}`, namespace);
    const create = (obj: KubeObject, namespace = ns) => store().create(namespace, obj, ctx(namespace));
    const get = (name: string, namespace = ns) => store().get(namespace, name);
    const nameOf = (obj: KubeObject) => obj.metadata!.name!;
    const errorDetails = (name: string) => ({ name, ...(def.group ? { group: def.group } : {}), kind: def.plural });

    test("create sets uid, creationTimestamp and resourceVersion; generation 1 iff the type tracks it", async () => {
      const input = fresh("meta");
      input.metadata = { ...input.metadata, uid: "user-uid", creationTimestamp: "2000-01-01T00:00:00Z", generation: 7, resourceVersion: "", selfLink: "/x" };
      const before = backend.currentRevision();
      const created = await create(input);
      expect(created.metadata!.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(created.metadata!.uid).not.toBe("user-uid");
      expect(Date.parse(created.metadata!.creationTimestamp!)).toBeGreaterThan(Date.parse("2020-01-01T00:00:00Z"));
      expect(created.metadata!.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Number(rv(created))).toBeGreaterThan(before);
      expect(created.metadata!.generation).toBe(def.tracksGeneration ? 1 : undefined);
      expect(created.metadata!.selfLink).toBeUndefined();
      expect(created.metadata!.namespace).toBe(def.namespaced ? ns : undefined);
      expect(created).toMatchObject({ apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind });
    });

    test("create naming a resourceVersion is refused as upstream's storage refuses it", async () => {
      const input = fresh("with-rv");
      input.metadata!.resourceVersion = "5";
      const err = await failure(create(input));
      expect(err.toStatus()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "resourceVersion should not be set on objects to be created", code: 500 });
      expect((await failure(get(nameOf(input)))).code).toBe(404);
    });

    test("generateName appends five random characters", async () => {
      const input = fresh("unused");
      input.metadata = { generateName: "gen-", ...(ns ? { namespace: ns } : {}) };
      const a = await create(structuredClone(input));
      const b = await create(structuredClone(input));
      expect(nameOf(a)).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(nameOf(b)).not.toBe(nameOf(a));
      expect(a.metadata!.generateName).toBe("gen-");
    });

    test("create of an existing name is 409 AlreadyExists, dry run included", async () => {
      const obj = await create(fresh("dup"));
      const again = minimalObject(def, nameOf(obj), ns);
      for (const dryRun of [false, true]) {
        const err = await failure(store().create(ns, structuredClone(again), ctx(ns), { dryRun }));
        expect(err.toStatus()).toEqual({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: `${qualified(def)} "${nameOf(obj)}" already exists`,
          reason: "AlreadyExists",
          details: errorDetails(nameOf(obj)),
          code: 409,
        });
      }
    });

    test("get, list and watch see a created object", async () => {
      const start = String(backend.currentRevision());
      const created = await create(fresh("seen"));
      expect(await get(nameOf(created))).toEqual(created);
      const list = await store().list(ns);
      expect(list.kind).toBe(`${def.kind}List`);
      expect(list.items.find((o) => nameOf(o) === nameOf(created))).toEqual(created);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv(created)));
      const [ev] = await take(store().watch(ns, { resourceVersion: start, name: nameOf(created) }), 1);
      expect(ev).toEqual({ type: "ADDED", object: created });
      const missing = await failure(get("no-such-object"));
      expect(missing.toStatus()).toMatchObject({ code: 404, reason: "NotFound", message: `${qualified(def)} "no-such-object" not found`, details: errorDetails("no-such-object") });
    });

    test("update with a stale resourceVersion is 409 Conflict", async () => {
      const created = await create(fresh("stale"));
      const changed = structuredClone(created);
      fixture.change(changed);
      const first = await store().update(ns, nameOf(created), structuredClone(changed), ctx(ns));
      expect(Number(rv(first.object))).toBeGreaterThan(Number(rv(created)));
      const err = await failure(store().update(ns, nameOf(created), changed, ctx(ns)));
      expect(err.toStatus()).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on ${qualified(def)} "${nameOf(created)}": the object has been modified; please apply your changes to the latest version and try again`,
        details: errorDetails(nameOf(created)),
      });
    });

    test("an update that changes nothing keeps the resourceVersion", async () => {
      const created = await create(fresh("noop"));
      const revision = backend.currentRevision();
      const same = await store().update(ns, nameOf(created), structuredClone(created), ctx(ns));
      expect(same.object).toEqual(created);
      // Nothing was written at all, not even an identical value.
      expect(backend.currentRevision()).toBe(revision);
      const unconditional = structuredClone(created);
      delete unconditional.metadata!.resourceVersion;
      expect((await store().update(ns, nameOf(created), unconditional, ctx(ns))).object).toEqual(created);
    });

    test("update of a missing object is 404, or a create where the type allows it", async () => {
      const obj = fresh("upsert");
      if (def.allowCreateOnUpdate) {
        const { object, created } = await store().update(ns, nameOf(obj), obj, ctx(ns));
        expect(created).toBe(true);
        expect(object.metadata!.uid).toBeString();
      } else {
        const err = await failure(store().update(ns, nameOf(obj), obj, ctx(ns)));
        expect(err.toStatus()).toMatchObject({ code: 404, reason: "NotFound", details: errorDetails(nameOf(obj)) });
      }
    });

    test("a uid in an update body is a precondition (upstream: 409 with the storage error)", async () => {
      const created = await create(fresh("uid"));
      const wrong = structuredClone(created);
      wrong.metadata!.uid = "6d0c4ef5-0000-4000-8000-000000000000";
      const err = await failure(store().update(ns, nameOf(created), wrong, ctx(ns)));
      const key = def.namespaced ? `${storagePrefix(def)}/${ns}/${nameOf(created)}` : `${storagePrefix(def)}/${nameOf(created)}`;
      expect(err.toStatus()).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on ${qualified(def)} "${nameOf(created)}": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: 6d0c4ef5-0000-4000-8000-000000000000, UID in object meta: ${created.metadata!.uid}`,
      });
    });

    test("a patch that changes the uid is 422: the uid is immutable", async () => {
      const created = await create(fresh("patch-uid"));
      const err = await failure(store().readModifyWrite(ns, nameOf(created), ctx(ns), {}, (current) => ({ ...structuredClone(current!), metadata: { ...current!.metadata, uid: "other" } })));
      expect(err.toStatus()).toMatchObject({ code: 422, reason: "Invalid" });
      // Types whose spec repeats the uid (jobs) add their own complaints after this one.
      expect(err.message).toContain(`"${nameOf(created)}" is invalid: `);
      expect(err.message).toContain(`metadata.uid: Invalid value: "other": field is immutable`);
    });

    test("generation grows on spec changes only, and only for types that track it", async () => {
      const created = await create(fresh("gen"));
      const labelled = structuredClone(created);
      labelled.metadata!.labels = { ...labelled.metadata!.labels, touched: "yes" };
      labelled.metadata!.generation = 42;
      const afterLabel = (await store().update(ns, nameOf(created), labelled, ctx(ns))).object;
      expect(afterLabel.metadata!.labels!.touched).toBe("yes");
      expect(afterLabel.metadata!.generation).toBe(def.tracksGeneration ? 1 : undefined);
      const changed = structuredClone(afterLabel);
      fixture.change(changed);
      const afterChange = (await store().update(ns, nameOf(created), changed, ctx(ns))).object;
      expect(rv(afterChange)).not.toBe(rv(afterLabel));
      expect(afterChange.metadata!.generation).toBe(def.tracksGeneration ? 2 : undefined);
    });

    if (def.statusSubresource) {
      test("the main endpoint keeps the stored status; /status keeps everything else", async () => {
        const created = await create(fresh("status"));
        const withStatus = structuredClone(created);
        fixture.status!(withStatus);
        expect(withStatus.status).not.toEqual(created.status);
        const ignored = await store().update(ns, nameOf(created), structuredClone(withStatus), ctx(ns));
        expect(ignored.object.status).toEqual(created.status);
        expect(rv(ignored.object)).toBe(rv(created));

        const both = structuredClone(withStatus);
        fixture.change(both);
        const viaStatus = (await store().update(ns, nameOf(created), both, ctx(ns), { subresource: "status" })).object;
        expect(viaStatus.status).toEqual(withStatus.status);
        const { status: _a, metadata: _m, ...restAfter } = viaStatus;
        const { status: _b, metadata: _n, ...restBefore } = created;
        expect(restAfter).toEqual(restBefore);
        expect(viaStatus.metadata!.generation).toBe(created.metadata!.generation);
        expect(await get(nameOf(created))).toEqual(viaStatus);
      });
    }

    test("delete returns the object; a second delete is 404", async () => {
      const created = await create(fresh("del"));
      const result = await store().delete(ns, nameOf(created), ctx(ns));
      const finalizers = store().finalizersOf(created);
      if (finalizers.length > 0) {
        // Namespaces carry their own finalizer: deletion waits for it.
        expect(result.pending).toBe(true);
        return;
      }
      if (def.garbageCollectionPolicy === "OrphanDependents") {
        // Without a propagation policy these orphan their dependents: the garbage collector's turn first.
        expect(result).toMatchObject({ pending: true, object: { metadata: { finalizers: ["orphan"] } } });
        return;
      }
      expect(result.pending).toBe(false);
      expect(result.object.metadata!.uid).toBe(created.metadata!.uid);
      expect(Number(rv(result.object))).toBeGreaterThan(Number(rv(created)));
      expect((await failure(get(nameOf(created)))).code).toBe(404);
      const again = await failure(store().delete(ns, nameOf(created), ctx(ns)));
      expect(again.toStatus()).toMatchObject({ code: 404, reason: "NotFound", message: `${qualified(def)} "${nameOf(created)}" not found`, details: errorDetails(nameOf(created)) });
    });

    test("finalizers hold deletion: deletionTimestamp set, object kept until they are removed", async () => {
      const input = fresh("fin");
      input.metadata!.finalizers = ["example.com/hold"];
      const created = await create(input);
      const first = await store().delete(ns, nameOf(created), ctx(ns));
      expect(first.pending).toBe(true);
      const marked = first.object;
      expect(marked.metadata!.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(marked.metadata!.deletionGracePeriodSeconds).toBe(0);
      // Upstream bumps generation when deletion starts, for types that have one.
      expect(marked.metadata!.generation).toBe(def.tracksGeneration ? 2 : undefined);
      expect(await get(nameOf(created))).toEqual(marked);
      // A second delete changes nothing while finalizers remain.
      const second = await store().delete(ns, nameOf(created), ctx(ns));
      expect(second).toEqual({ object: marked, pending: true });
      // The name stays taken, and upstream says why.
      const recreate = await failure(create(minimalObject(def, nameOf(created), ns)));
      expect(recreate.toStatus()).toMatchObject({ code: 409, reason: "AlreadyExists", message: `object is being deleted: ${qualified(def)} "${nameOf(created)}" already exists` });
      // New finalizers cannot be added once deletion started.
      const adding = structuredClone(marked);
      adding.metadata!.finalizers = ["example.com/hold", "example.com/another"];
      expect((await failure(store().update(ns, nameOf(created), adding, ctx(ns)))).code).toBe(422);

      const released = structuredClone(marked);
      released.metadata!.finalizers = [];
      const spec = released.spec as { finalizers?: string[] } | undefined;
      // A namespace's own finalizers change only through its finalize subresource.
      const finalize = spec?.finalizers !== undefined;
      if (spec?.finalizers) spec.finalizers = [];
      await store().update(ns, nameOf(created), released, finalize ? { ...ctx(ns), subresource: "finalize" } : ctx(ns));
      expect((await failure(get(nameOf(created)))).code).toBe(404);
    });

    test("delete preconditions on uid and resourceVersion", async () => {
      const created = await create(fresh("pre"));
      const uid = created.metadata!.uid!;
      const target = { name: nameOf(created), ...(def.group ? { group: def.group } : {}), kind: def.kind };
      const badUid = await failure(store().delete(ns, nameOf(created), ctx(ns), { preconditions: { uid: "not-the-uid" } }));
      expect(badUid.toStatus()).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on ${kindQualified(def)} "${nameOf(created)}": the UID in the precondition (not-the-uid) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
        details: target,
      });
      const badRv = await failure(store().delete(ns, nameOf(created), ctx(ns), { preconditions: { resourceVersion: "1" } }));
      expect(badRv.toStatus()).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on ${kindQualified(def)} "${nameOf(created)}": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${rv(created)}). The object might have been modified`,
        details: target,
      });
      expect(await get(nameOf(created))).toEqual(created);
      const ok = await store().delete(ns, nameOf(created), ctx(ns), { preconditions: { uid, resourceVersion: rv(created) } });
      expect(ok.object.metadata!.uid).toBe(uid);
    });

    test("dry run create, update and delete change nothing", async () => {
      const revision = backend.currentRevision();
      const planned = fresh("dry");
      const wouldBe = await store().create(ns, structuredClone(planned), ctx(ns), { dryRun: true });
      expect(wouldBe.metadata!.uid).toBeString();
      expect(wouldBe.metadata!.resourceVersion).toBeUndefined();
      expect((await failure(get(nameOf(planned)))).code).toBe(404);
      expect(backend.currentRevision()).toBe(revision);

      const created = await create(planned);
      const after = backend.currentRevision();
      const changed = structuredClone(created);
      fixture.change(changed);
      const dryUpdate = await store().update(ns, nameOf(created), structuredClone(changed), ctx(ns), { dryRun: true });
      expect(dryUpdate.object).not.toEqual(created);
      expect(await get(nameOf(created))).toEqual(created);
      const dryDelete = await store().delete(ns, nameOf(created), ctx(ns), { dryRun: true });
      expect(dryDelete.object.metadata!.uid).toBe(created.metadata!.uid);
      expect(await get(nameOf(created))).toEqual(created);
      expect(backend.currentRevision()).toBe(after);
    });

    test("storage keys: upstream's layout, per namespace for namespaced types", async () => {
      const created = await create(fresh("key"));
      const key = def.namespaced ? `${storagePrefix(def)}/${ns}/${nameOf(created)}` : `${storagePrefix(def)}/${nameOf(created)}`;
      expect((await backend.get(key)).kv?.modRevision).toBe(Number(rv(created)));
      if (def.namespaced) {
        const twin = await create(minimalObject(def, nameOf(created), "ns-b"), "ns-b");
        expect(twin.metadata!.uid).not.toBe(created.metadata!.uid);
        expect((await failure(get(nameOf(created), "ns-c"))).code).toBe(404);
        const all = await store().list("");
        expect(all.items.filter((o) => nameOf(o) === nameOf(created)).map((o) => o.metadata!.namespace)).toEqual(["ns-a", "ns-b"]);
        expect((await store().list("ns-b")).items.every((o) => o.metadata!.namespace === "ns-b")).toBe(true);
        const mismatch = minimalObject(def, "mismatch", "ns-b");
        const err = await failure(store().create("ns-a", mismatch, ctx("ns-a")));
        expect(err.toStatus()).toMatchObject({ code: 400, message: "the namespace of the provided object does not match the namespace sent on the request" });
      } else {
        const withNs = fresh("cluster");
        withNs.metadata!.namespace = "somewhere";
        const made = await create(withNs);
        expect(made.metadata!.namespace).toBeUndefined();
      }
    });

    test("deletecollection removes what the label selector matches", async () => {
      const mark = `dc-${++seq}`;
      const made: KubeObject[] = [];
      for (const [i, tag] of ["yes", "yes", "no"].entries()) {
        const obj = fresh(`dc${i}`);
        obj.metadata!.labels = { batch: mark, pick: tag };
        made.push(await create(obj));
      }
      const filter = (obj: KubeObject) => obj.metadata?.labels?.batch === mark && obj.metadata.labels.pick === "yes";
      const deleted = await store().deleteCollection(ns, { filter }, ctx(ns));
      expect(deleted.kind).toBe(`${def.kind}List`);
      expect(deleted.items.map(nameOf).sort()).toEqual([nameOf(made[0]!), nameOf(made[1]!)].sort());
      const left = (await store().list(ns, { filter: (o) => o.metadata?.labels?.batch === mark })).items.map(nameOf);
      if (store().finalizersOf(made[0]!).length > 0 || def.garbageCollectionPolicy === "OrphanDependents") expect(left).toHaveLength(3);
      else expect(left).toEqual([nameOf(made[2]!)]);
    });
  });
}

function storagePrefix(def: ResourceDefinition): string {
  return `/registry/${UPSTREAM_PREFIX[`${def.group}/${def.plural}`] ?? def.plural}`;
}

describe("graceful deletion (pods on a node)", () => {
  const pods = () => registry.lookup("", "v1", "pods")!;
  const onNode = (name: string, finalizers: string[] = []) => {
    const pod = minimalObject(pods().def, name, "ns-a");
    pod.metadata!.finalizers = finalizers;
    (pod.spec as { nodeName?: string }).nodeName = "node-1";
    return pod;
  };

  test("the grace period runs; only a shorter one changes it; grace 0 deletes", async () => {
    const pod = await pods().create("ns-a", onNode("graceful"), ctx("ns-a"));
    const first = await pods().delete("ns-a", "graceful", ctx("ns-a"));
    expect(first.pending).toBe(true);
    expect(first.object.metadata!.deletionGracePeriodSeconds).toBe(30);
    const started = Date.parse(first.object.metadata!.deletionTimestamp!);
    expect(await pods().delete("ns-a", "graceful", ctx("ns-a"), { gracePeriodSeconds: 60 })).toEqual({ object: first.object, pending: true });
    const shorter = await pods().delete("ns-a", "graceful", ctx("ns-a"), { gracePeriodSeconds: 10 });
    expect(shorter.pending).toBe(true);
    expect(shorter.object.metadata!.deletionGracePeriodSeconds).toBe(10);
    expect(Date.parse(shorter.object.metadata!.deletionTimestamp!)).toBe(started - 20_000);
    const gone = await pods().delete("ns-a", "graceful", ctx("ns-a"), { gracePeriodSeconds: 0 });
    expect(gone.pending).toBe(false);
    expect(gone.object.metadata!.uid).toBe(pod.metadata!.uid);
  });

  test("with a finalizer, grace 0 marks it; removing the finalizer then deletes it", async () => {
    await pods().create("ns-a", onNode("held", ["example.com/hold"]), ctx("ns-a"));
    await pods().delete("ns-a", "held", ctx("ns-a"));
    const now = await pods().delete("ns-a", "held", ctx("ns-a"), { gracePeriodSeconds: 0 });
    expect(now.pending).toBe(true);
    expect(now.object.metadata!.deletionGracePeriodSeconds).toBe(0);
    const released = structuredClone(now.object);
    released.metadata!.finalizers = [];
    await pods().update("ns-a", "held", released, ctx("ns-a"));
    expect((await failure(pods().get("ns-a", "held"))).code).toBe(404);
  });

  test("removing the last finalizer while the grace period runs keeps the pod for its kubelet", async () => {
    await pods().create("ns-a", onNode("running", ["example.com/hold"]), ctx("ns-a"));
    const marked = (await pods().delete("ns-a", "running", ctx("ns-a"))).object;
    const released = structuredClone(marked);
    released.metadata!.finalizers = [];
    const after = (await pods().update("ns-a", "running", released, ctx("ns-a"))).object;
    expect(after.metadata!.finalizers ?? []).toEqual([]);
    expect((await pods().get("ns-a", "running")).metadata!.deletionGracePeriodSeconds).toBe(30);
  });
});
