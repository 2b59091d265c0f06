/**
 * End to end with the real etcdctl (Debian's etcd-client 3.4) against the listener, started
 * in-process on 127.0.0.1 over a store in a fresh temporary directory.
 */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { OutputReader, startTestCluster, type TestCluster } from "./testing.ts";

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

/** Runs etcdctl and expects success; returns stdout. */
async function ok(c: TestCluster, args: string[], stdin?: string): Promise<string> {
  const res = await c.etcdctl(args, stdin === undefined ? {} : { stdin });
  if (res.code !== 0) throw new Error(`etcdctl ${args.join(" ")} exited ${res.code}: ${res.stderr}`);
  return res.stdout;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("KV with etcdctl", () => {
  test("put and get: plain, --prefix, --keys-only, -w json with revisions", async () => {
    const c = await cluster();
    expect(await ok(c, ["put", "/app/a", "one"])).toBe("OK\n");
    expect(await ok(c, ["put", "/app/b", "two"])).toBe("OK\n");
    expect(await ok(c, ["put", "/other", "x"])).toBe("OK\n");
    expect(await ok(c, ["put", "/app/a", "uno"])).toBe("OK\n");

    expect(await ok(c, ["get", "/app/a"])).toBe("/app/a\nuno\n");
    expect(await ok(c, ["get", "--prefix", "/app/"])).toBe("/app/a\nuno\n/app/b\ntwo\n");
    expect(await ok(c, ["get", "--prefix", "/app/", "--keys-only"])).toBe("/app/a\n\n/app/b\n\n");
    expect(await ok(c, ["get", "/missing"])).toBe("");

    const json = JSON.parse(await ok(c, ["get", "/app/a", "-w", "json"]));
    // A new store is at revision 1; the four puts took 2..5.
    expect(json.header.revision).toBe(5);
    expect(json.count).toBe(1);
    expect(json.kvs).toEqual([{ key: b64("/app/a"), value: b64("uno"), create_revision: 2, mod_revision: 5, version: 2 }]);
    expect(json.header.cluster_id).toBeGreaterThan(0);
    expect(json.header.member_id).toBeGreaterThan(0);
  });

  test("get --rev reads an older value", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "v1"]); // rev 2
    await ok(c, ["put", "k", "v2"]); // rev 3
    expect(await ok(c, ["get", "k", "--rev=2"])).toBe("k\nv1\n");
    expect(await ok(c, ["get", "k"])).toBe("k\nv2\n");
    const future = await c.etcdctl(["get", "k", "--rev=100"]);
    expect(future.code).not.toBe(0);
    expect(future.stderr).toContain("required revision is a future revision");
  });

  test("get with limit, sort and count", async () => {
    const c = await cluster();
    for (const [k, v] of [["/s/a", "3"], ["/s/b", "1"], ["/s/c", "2"]]) await ok(c, ["put", k!, v!]);
    await ok(c, ["put", "/s/a", "4"]);
    expect(await ok(c, ["get", "--prefix", "/s/", "--limit=2"])).toBe("/s/a\n4\n/s/b\n1\n");
    expect(await ok(c, ["get", "--prefix", "/s/", "--sort-by=VALUE"])).toBe("/s/b\n1\n/s/c\n2\n/s/a\n4\n");
    expect(await ok(c, ["get", "--prefix", "/s/", "--sort-by=MODIFY", "--order=DESCEND", "--keys-only"])).toBe("/s/a\n\n/s/c\n\n/s/b\n\n");
    expect(await ok(c, ["get", "--prefix", "/s/", "--order=DESCEND", "--limit=1"])).toBe("/s/c\n2\n");
    const counted = JSON.parse(await ok(c, ["get", "--prefix", "/s/", "--limit=1", "-w", "json"]));
    expect(counted.count).toBe(3);
    expect(counted.more).toBe(true);
    expect(counted.kvs).toHaveLength(1);
  });

  test("del --prefix deletes the range and reports the count", async () => {
    const c = await cluster();
    for (const k of ["/d/1", "/d/2", "/d/3", "/e"]) await ok(c, ["put", k, "v"]);
    expect(await ok(c, ["del", "--prefix", "/d/"])).toBe("3\n");
    expect(await ok(c, ["get", "--prefix", "/"])).toBe("/e\nv\n");
    expect(await ok(c, ["del", "--prev-kv", "/e"])).toBe("1\n/e\nv\n");
    expect(await ok(c, ["del", "/nothing"])).toBe("0\n");
  });

  test("txn: compares, success and failure branches", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "v1"]); // rev 2
    const success = await ok(c, ["txn"], 'mod("k") = "2"\n\nput k v2\nget k\n\nput k failed\n\n');
    expect(success).toBe("SUCCESS\n\nOK\n\nk\nv2\n");
    const failure = await ok(c, ["txn"], 'mod("k") = "2"\n\nput k v3\n\nput other f\n\n');
    expect(failure).toBe("FAILURE\n\nOK\n");
    expect(await ok(c, ["get", "k"])).toBe("k\nv2\n");
    expect(await ok(c, ["get", "other"])).toBe("other\nf\n");
    const byValue = await ok(c, ["txn"], 'value("k") = "v2"\nversion("k") > "1"\ncreate("k") = "2"\n\ndel k\n\n\n');
    expect(byValue).toBe("SUCCESS\n\n1\n");
    const json = JSON.parse(await ok(c, ["txn", "-w", "json"], 'version("k") = "0"\n\nput k again\n\n\n'));
    expect(json.succeeded).toBe(true);
    expect(json.header.revision).toBe(6);
  });

  test("an oversized value gets a clear error and the server keeps serving", async () => {
    const c = await cluster();
    const tooLarge = await c.etcdctl(["put", "big"], { stdin: "x".repeat(1600 * 1024) });
    expect(tooLarge.code).not.toBe(0);
    expect(tooLarge.stderr).toContain("etcdserver: request is too large");
    expect(await ok(c, ["put", "big", "x".repeat(1024)])).toBe("OK\n");
    expect((await ok(c, ["get", "big", "--print-value-only"])).length).toBe(1025);
  });
});

describe("watch with etcdctl", () => {
  test("watch --prefix prints puts and deletes as they happen", async () => {
    const c = await cluster();
    const watcher = c.spawnEtcdctl(["watch", "--prefix", "/x/"]);
    const out = new OutputReader(watcher.stdout);
    // The watch is registered once the store has a watcher for it.
    await waitFor(() => c.backend.watcherCount === 1);
    await ok(c, ["put", "/x/a", "1"]);
    await ok(c, ["put", "/y", "not watched"]);
    await ok(c, ["put", "/x/b", "2"]);
    await ok(c, ["del", "/x/a"]);
    const text = await out.until((t) => t.includes("DELETE"));
    expect(text).toBe("PUT\n/x/a\n1\nPUT\n/x/b\n2\nDELETE\n/x/a\n\n");
    watcher.kill();
    await watcher.exited;
    await waitFor(() => c.backend.watcherCount === 0);
  });

  test("watch --rev replays history from an old revision", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "a"]); // 2
    await ok(c, ["put", "k", "b"]); // 3
    await ok(c, ["del", "k"]); // 4
    const watcher = c.spawnEtcdctl(["watch", "--rev=2", "--prev-kv", "k"]);
    const out = new OutputReader(watcher.stdout);
    const text = await out.until((t) => t.includes("DELETE"));
    expect(text).toBe("PUT\nk\na\nPUT\nk\na\nk\nb\nDELETE\nk\nb\nk\n\n");
    await ok(c, ["put", "k", "c"]);
    await out.until((t) => t.endsWith("PUT\nk\nc\n"));
    watcher.kill();
    await watcher.exited;
  });

  test("a watch from a compacted revision is canceled with the compaction error", async () => {
    const c = await cluster();
    for (const v of ["1", "2", "3"]) await ok(c, ["put", "k", v]);
    expect(await ok(c, ["compact", "3"])).toBe("compacted revision 3\n");
    const res = await c.etcdctl(["watch", "--rev=2", "k"], { timeoutMs: 10_000 });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("required revision has been compacted");
  });
});

describe("maintenance with etcdctl", () => {
  test("compact: reads below the compaction revision fail", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "v1"]); // 2
    await ok(c, ["put", "k", "v2"]); // 3
    await ok(c, ["put", "k", "v3"]); // 4
    expect(await ok(c, ["compact", "3"])).toBe("compacted revision 3\n");
    const below = await c.etcdctl(["get", "k", "--rev=2"]);
    expect(below.code).not.toBe(0);
    expect(below.stderr).toContain("etcdserver: mvcc: required revision has been compacted");
    expect(await ok(c, ["get", "k", "--rev=3"])).toBe("k\nv2\n");
    expect(await ok(c, ["compact", "4", "--physical"])).toBe("compacted revision 4\n");
    const again = await c.etcdctl(["compact", "4"]);
    expect(again.stderr).toContain("required revision has been compacted");
  });

  test("defrag", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "v"]);
    expect(await ok(c, ["defrag"])).toContain(`Finished defragmenting etcd member[${c.endpoint}]`);
    expect(await ok(c, ["get", "k"])).toBe("k\nv\n");
  });

  test("snapshot save writes the database followed by its SHA-256", async () => {
    const c = await cluster();
    for (let i = 0; i < 200; i++) await c.client().put({ key: Buffer.from(`/snap/${i}`), value: Buffer.alloc(1000, i) });
    const path = join(c.dir, "snapshot.db");
    const out = await ok(c, ["snapshot", "save", path]);
    expect(out).toContain(`Snapshot saved at ${path}`);
    const data = readFileSync(path);
    const body = data.subarray(0, data.length - 32);
    expect(createHash("sha256").update(body).digest().equals(data.subarray(data.length - 32))).toBe(true);
    expect(body.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
    // The body alone is a complete SQLite database holding the keys.
    const copy = join(c.dir, "copy.db");
    writeFileSync(copy, body);
    const db = new Database(copy, { readonly: true });
    try {
      expect(db.query("PRAGMA integrity_check").values()).toEqual([["ok"]]);
      expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM kv").get()?.n).toBe(200);
    } finally {
      db.close();
    }
    // The listener removed its temporary copy.
    expect(existsSync(path + ".part")).toBe(false);
  });

  test("endpoint status and health", async () => {
    const c = await cluster();
    await ok(c, ["put", "k", "v"]);
    const [status] = JSON.parse(await ok(c, ["endpoint", "status", "-w", "json"]));
    expect(status.Endpoint).toBe(c.endpoint);
    expect(status.Status.header.revision).toBe(2);
    expect(status.Status.version).toMatch(/^3\.\d+\.\d+$/);
    expect(status.Status.dbSize).toBeGreaterThan(4096);
    expect(status.Status.dbSizeInUse).toBeGreaterThan(0);
    expect(status.Status.dbSizeInUse).toBeLessThanOrEqual(status.Status.dbSize);
    expect(status.Status.leader).toBe(status.Status.header.member_id);
    // etcdctl prints health to stderr.
    const health = await c.etcdctl(["endpoint", "health"]);
    expect(health.code).toBe(0);
    expect(health.stdout + health.stderr).toContain(`${c.endpoint} is healthy`);
    const [hash1] = JSON.parse(await ok(c, ["endpoint", "hashkv", "-w", "json"]));
    const [hash2] = JSON.parse(await ok(c, ["endpoint", "hashkv", "-w", "json"]));
    expect(hash1.HashKV.hash).toBe(hash2.HashKV.hash);
    expect(await ok(c, ["alarm", "list"])).toBe("");
  });

  test("member list shows the one member at the listener's URL", async () => {
    const c = await cluster();
    const out = await ok(c, ["member", "list"]);
    expect(out).toMatch(new RegExp(`^[0-9a-f]+, started, kts, , http://${c.endpoint.replace(/\./g, "\\.")}, false\\n$`));
  });

  test("auth is not served", async () => {
    const c = await cluster();
    const res = await c.etcdctl(["auth", "enable"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("Unimplemented");
  });
});

describe("leases with etcdctl", () => {
  test("grant, put --lease, keep-alive --once, timetolive --keys, revoke", async () => {
    const c = await cluster();
    const granted = await ok(c, ["lease", "grant", "60"]);
    const id = /^lease ([0-9a-f]+) granted with TTL\(60s\)\n$/.exec(granted)?.[1];
    expect(id).toBeDefined();
    await ok(c, ["put", "/leased/a", "1", `--lease=${id}`]);
    await ok(c, ["put", "/leased/b", "2", `--lease=${id}`]);
    await ok(c, ["put", "/kept", "3"]);
    expect(await ok(c, ["lease", "keep-alive", "--once", id!])).toBe(`lease ${id} keepalived with TTL(60)\n`);
    expect(await ok(c, ["lease", "timetolive", "--keys", id!])).toMatch(
      new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\(\\d+s\\), attached keys\\(\\[/leased/a /leased/b\\]\\)\\n$`),
    );
    expect(await ok(c, ["lease", "list"])).toBe(`found 1 leases\n${id}\n`);
    expect(await ok(c, ["lease", "revoke", id!])).toBe(`lease ${id} revoked\n`);
    expect(await ok(c, ["get", "--prefix", "/"])).toBe("/kept\n3\n");
    expect(await ok(c, ["lease", "timetolive", id!])).toBe(`lease ${id} already expired\n`);
    const expired = await c.etcdctl(["lease", "keep-alive", "--once", id!]);
    expect(expired.code).not.toBe(0);
    const unknown = await c.etcdctl(["put", "k", "v", "--lease=1234"]);
    expect(unknown.stderr).toContain("etcdserver: requested lease not found");
  });
});

describe("robustness", () => {
  test("a killed watcher releases its store watch and the server keeps serving", async () => {
    const c = await cluster();
    const watchers = [c.spawnEtcdctl(["watch", "--prefix", "/"]), c.spawnEtcdctl(["watch", "a"])];
    await waitFor(() => c.backend.watcherCount === 2);
    for (const w of watchers) w.kill("SIGKILL");
    await Promise.all(watchers.map((w) => w.exited));
    await waitFor(() => c.backend.watcherCount === 0);
    expect(await ok(c, ["put", "k", "v"])).toBe("OK\n");
  });

  test("garbage bytes on the socket do not hurt the server", async () => {
    const c = await cluster();
    const port = c.server.port;
    const junk = [
      Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)),
      // A valid HTTP/2 preface followed by nonsense frames.
      Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.alloc(64, 0xff)]),
    ];
    for (const bytes of junk) await sendRaw(port, bytes);
    expect(await ok(c, ["put", "k", "v"])).toBe("OK\n");
    expect(await ok(c, ["get", "k"])).toBe("k\nv\n");
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(20);
  }
}

/** Writes bytes to the port and waits until the server hangs up (or a short while passes). */
function sendRaw(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 1000);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", () => {});
    socket.on("error", done);
    socket.on("close", done);
  });
}
