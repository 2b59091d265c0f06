/** Watch stream semantics, through the lean client (etcdctl covers the everyday paths). */
import { afterEach, describe, expect, test } from "bun:test";
import type { WatchStream } from "./client.ts";
import type * as M from "./proto/messages.ts";
import { EventType, FilterType } from "./proto/messages.ts";
import { startTestCluster, type TestCluster } from "./testing.ts";

let clusters: TestCluster[] = [];
async function cluster(opts?: Parameters<typeof startTestCluster>[0]): Promise<TestCluster> {
  const c = await startTestCluster(opts);
  clusters.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clusters) await c.dispose();
  clusters = [];
});

const b = (s: string) => Buffer.from(s);
const str = (u: Uint8Array | undefined | null) => (u ? Buffer.from(u).toString() : "");

async function next(w: WatchStream, timeoutMs = 5000): Promise<M.WatchResponse> {
  const res = await w.next(timeoutMs);
  if (!res) throw new Error("no watch response in time");
  return res;
}

/** Events of a response as "PUT key=value" / "DELETE key" lines. */
function lines(res: M.WatchResponse): string[] {
  return res.events.map((e) => (e.type === EventType.PUT ? `PUT ${str(e.kv?.key)}=${str(e.kv?.value)}` : `DELETE ${str(e.kv?.key)}`));
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(10);
  }
}

describe("watch create and cancel", () => {
  test("the first response is created=true with an auto id counting from 0", async () => {
    const c = await cluster();
    await c.client().put({ key: b("a"), value: b("1") }); // rev 2
    const w = c.client().watch();
    w.send({ create_request: { key: b("a") } });
    w.send({ create_request: { key: b("b") } });
    const first = await next(w);
    expect(first).toMatchObject({ created: true, watch_id: 0, canceled: false, events: [] });
    expect(first.header?.revision).toBe(2);
    const second = await next(w);
    expect(second).toMatchObject({ created: true, watch_id: 1 });
    await c.client().put({ key: b("b"), value: b("2") });
    await c.client().put({ key: b("a"), value: b("3") });
    const ev1 = await next(w);
    expect(ev1.watch_id).toBe(1);
    expect(lines(ev1)).toEqual(["PUT b=2"]);
    expect(ev1.header?.revision).toBe(3);
    const ev2 = await next(w);
    expect(ev2.watch_id).toBe(0);
    expect(lines(ev2)).toEqual(["PUT a=3"]);
    expect(ev2.events[0]?.kv).toMatchObject({ create_revision: 2, mod_revision: 4, version: 2 });
    w.cancel();
  });

  test("client-chosen ids are kept; a duplicate is refused as etcd does", async () => {
    const c = await cluster();
    const w = c.client().watch();
    w.send({ create_request: { key: b("a"), watch_id: 42 } });
    expect(await next(w)).toMatchObject({ created: true, watch_id: 42 });
    w.send({ create_request: { key: b("b"), watch_id: 42 } });
    const dup = await next(w);
    expect(dup).toMatchObject({ created: true, canceled: true, watch_id: -1 });
    expect(dup.cancel_reason).toContain("duplicate watch ID");
    // An empty range (key >= range_end) is refused the same way.
    w.send({ create_request: { key: b("z"), range_end: b("a") } });
    expect(await next(w)).toMatchObject({ created: true, canceled: true, cancel_reason: "mvcc: watcher range is empty" });
    w.cancel();
  });

  test("cancel answers canceled=true, stops events and releases the store watch", async () => {
    const c = await cluster();
    const w = c.client().watch();
    w.send({ create_request: { key: b("k") } });
    w.send({ create_request: { key: b("k"), watch_id: 7 } });
    await next(w);
    await next(w);
    expect(c.backend.watcherCount).toBe(2);
    w.send({ cancel_request: { watch_id: 0 } });
    expect(await next(w)).toMatchObject({ watch_id: 0, canceled: true });
    expect(c.backend.watcherCount).toBe(1);
    // Canceling an unknown id says nothing, like etcd.
    w.send({ cancel_request: { watch_id: 99 } });
    await c.client().put({ key: b("k"), value: b("v") });
    const res = await next(w);
    expect(res.watch_id).toBe(7);
    expect(lines(res)).toEqual(["PUT k=v"]);
    w.cancel();
  });

  test("prefix and open-ended ranges, prev_kv, and the NOPUT/NODELETE filters", async () => {
    const c = await cluster();
    await c.client().put({ key: b("/p/a"), value: b("old") });
    const w = c.client().watch();
    w.send({ create_request: { key: b("/p/"), range_end: b("/p0"), prev_kv: true, watch_id: 1 } });
    w.send({ create_request: { key: b("/p/"), range_end: b("\0"), filters: [FilterType.NOPUT], watch_id: 2 } });
    w.send({ create_request: { key: b("/p/"), range_end: b("/p0"), filters: [FilterType.NODELETE], watch_id: 3 } });
    for (let i = 0; i < 3; i++) expect((await next(w)).created).toBe(true);
    await c.client().put({ key: b("/p/a"), value: b("new") });
    await c.client().deleteRange({ key: b("/p/a") });
    await c.client().put({ key: b("/q"), value: b("beyond the prefix, inside the open range") });

    const got = new Map<number, string[]>();
    const deadline = Date.now() + 5000;
    while ((got.get(1)?.length ?? 0) < 2 || (got.get(2)?.length ?? 0) < 1 || (got.get(3)?.length ?? 0) < 1) {
      if (Date.now() > deadline) throw new Error(`missing events: ${JSON.stringify([...got])}`);
      const res = await next(w);
      const list = got.get(res.watch_id) ?? [];
      for (const e of res.events) {
        const prev = e.prev_kv ? ` prev=${str(e.prev_kv.value)}` : "";
        list.push(`${e.type === EventType.PUT ? "PUT" : "DELETE"} ${str(e.kv?.key)}${prev}`);
      }
      got.set(res.watch_id, list);
    }
    expect(got.get(1)).toEqual(["PUT /p/a prev=old", "DELETE /p/a prev=new"]);
    expect(got.get(2)).toEqual(["DELETE /p/a"]);
    expect(got.get(3)).toEqual(["PUT /p/a"]);
    // Watch 2 has no upper bound: /q arrives (it filters puts, so nothing shows), and nothing else is pending.
    expect(await w.next(200)).toBeUndefined();
    w.cancel();
  });

  test("a start revision in the past replays history; a compacted one is canceled with compact_revision", async () => {
    const c = await cluster();
    for (const v of ["1", "2", "3", "4"]) await c.client().put({ key: b("k"), value: b(v) }); // revs 2..5
    const w = c.client().watch();
    w.send({ create_request: { key: b("k"), start_revision: 3 } });
    expect(await next(w)).toMatchObject({ created: true, watch_id: 0 });
    const replay: string[] = [];
    while (replay.length < 3) replay.push(...lines(await next(w)));
    expect(replay).toEqual(["PUT k=2", "PUT k=3", "PUT k=4"]);

    await c.client().compact({ revision: 4 });
    w.send({ create_request: { key: b("k"), start_revision: 2 } });
    expect(await next(w)).toMatchObject({ created: true, watch_id: 1 });
    const canceled = await next(w);
    expect(canceled).toMatchObject({ watch_id: 1, canceled: true, compact_revision: 4 });
    await waitFor(() => c.backend.watcherCount === 1);
    w.cancel();
  });
});

describe("watch progress", () => {
  test("a progress request is answered with watch_id -1 at the current revision", async () => {
    const c = await cluster();
    await c.client().put({ key: b("x"), value: b("1") });
    const w = c.client().watch();
    // With no watches it is answered at once.
    w.send({ progress_request: {} });
    const empty = await next(w);
    expect(empty).toMatchObject({ watch_id: -1, created: false, events: [] });
    expect(empty.header?.revision).toBe(2);
    w.send({ create_request: { key: b("a") } });
    w.send({ create_request: { key: b("b"), start_revision: 1 } });
    await next(w);
    await next(w);
    await c.client().put({ key: b("c"), value: b("2") });
    w.send({ progress_request: {} });
    const progress = await next(w);
    expect(progress).toMatchObject({ watch_id: -1, events: [] });
    expect(progress.header?.revision).toBe(3);
    w.cancel();
  });

  test("progress_notify sends empty responses to an idle watch", async () => {
    const c = await cluster({ progressNotifyIntervalMs: 100 });
    const w = c.client().watch();
    w.send({ create_request: { key: b("quiet"), progress_notify: true } });
    w.send({ create_request: { key: b("silent") } });
    await next(w);
    await next(w);
    const notify = await next(w, 2000);
    expect(notify).toMatchObject({ watch_id: 0, created: false, canceled: false, events: [] });
    expect(notify.header?.revision).toBe(1);
    // Only the watch that asked for it hears anything.
    for (let i = 0; i < 3; i++) expect((await next(w, 2000)).watch_id).toBe(0);
    w.cancel();
  });
});

describe("watch streams and connections", () => {
  test("large batches are split into fragments when the watch allows it", async () => {
    const c = await cluster();
    // Three 600 KiB values, each under the request limit; replayed from the log they come as one batch.
    const value = Buffer.alloc(600 * 1024, 1);
    for (const k of ["a", "b", "c"]) await c.client().put({ key: b(`/big/${k}`), value });
    const w = c.client().watch();
    w.send({ create_request: { key: b("/big/"), range_end: b("/big0"), start_revision: 2, fragment: true } });
    await next(w);
    const parts: M.WatchResponse[] = [];
    do parts.push(await next(w));
    while (parts[parts.length - 1]!.fragment);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => p.events).map((e) => str(e.kv?.key))).toEqual(["/big/a", "/big/b", "/big/c"]);
    w.cancel();
  });

  test("a client that disconnects mid-watch releases its store watches", async () => {
    const c = await cluster();
    const w = c.client().watch();
    w.send({ create_request: { key: b("a") } });
    w.send({ create_request: { key: b("b") } });
    await next(w);
    await next(w);
    expect(c.backend.watcherCount).toBe(2);
    w.cancel();
    await waitFor(() => c.backend.watcherCount === 0);

    // A whole connection going away does the same.
    const { EtcdClient } = await import("./client.ts");
    const other = new EtcdClient(c.endpoint);
    const w2 = other.watch();
    w2.send({ create_request: { key: b("a") } });
    await next(w2);
    expect(c.backend.watcherCount).toBe(1);
    await other.close();
    await waitFor(() => c.backend.watcherCount === 0);
    expect((await c.client().put({ key: b("a"), value: b("still serving") })).header?.revision).toBe(2);
  });

  test("a slow reader loses nothing: the server waits for it and the store catches it up from its log", async () => {
    // A small store queue limit makes the store drop the watcher to catch-up reads early.
    const c = await cluster({ store: { watchQueueLimit: 20 } });
    const w = c.client().watch();
    w.send({ create_request: { key: b("/n/"), range_end: b("/n0") } });
    await next(w);
    w.pause();
    const value = Buffer.alloc(4096, 7);
    const key = (i: number) => `/n/${String(i).padStart(4, "0")}`;
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => c.client().put({ key: b(key(batch * 50 + j)), value })));
    }
    w.resume();
    const keys: string[] = [];
    while (keys.length < 400) keys.push(...(await next(w)).events.map((e) => str(e.kv?.key)));
    expect(keys).toEqual(Array.from({ length: 400 }, (_, i) => key(i)));
    w.cancel();
  });

  test("closing the server ends open watch streams promptly", async () => {
    const c = await cluster();
    const w = c.client().watch();
    w.send({ create_request: { key: b("a") } });
    await next(w);
    const started = Date.now();
    await c.server.close();
    await waitFor(() => w.closed, 2000);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(w.status?.code).toBe(14);
    await waitFor(() => c.backend.watcherCount === 0);
  });
});
