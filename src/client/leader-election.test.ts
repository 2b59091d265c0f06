import { afterEach, expect, test } from "bun:test";
import { localClient } from "./testing.ts";
import { LeaderElector, LEASES } from "./leader-election.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await Bun.sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

function candidate(client: ReturnType<typeof localClient>["client"], identity: string, log: string[], leaseDurationMs = 1000) {
  const e = new LeaderElector({
    client,
    namespace: "kube-system",
    name: "ctl",
    identity,
    leaseDurationMs,
    renewDeadlineMs: Math.min(600, leaseDurationMs * 0.6),
    retryPeriodMs: 100,
    onStartedLeading: () => void log.push(`${identity} leads`),
    onStoppedLeading: () => void log.push(`${identity} stops`),
  });
  cleanups.push(() => e.stop());
  return e;
}

test("one of two candidates leads; on stop it hands the lease back and the other takes over at once", async () => {
  const c = localClient();
  cleanups.push(() => c.close());
  const log: string[] = [];
  // A long lease: b can only take over within the wait below because a hands it back.
  const a = candidate(c.client, "a", log, 60_000);
  a.start();
  await until("a leads", () => a.isLeader);
  const b = candidate(c.client, "b", log, 60_000);
  b.start();
  await Bun.sleep(300);
  expect(b.isLeader).toBe(false);
  expect(b.leader).toBe("a");
  const lease = await c.client.get(LEASES, "kube-system", "ctl");
  expect(lease.spec).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 60, leaseTransitions: 0 });
  await a.stop();
  await until("b leads", () => b.isLeader, 10_000);
  expect(log).toEqual(["a leads", "a stops", "b leads"]);
  expect((await c.client.get(LEASES, "kube-system", "ctl")).spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
});

test("a leader that cannot renew stops leading; a lease left by a dead holder is taken once it runs out", async () => {
  const c = localClient();
  cleanups.push(() => c.close());
  // A holder that died without releasing.
  await c.client.create(LEASES, "kube-system", {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "ctl", namespace: "kube-system" },
    spec: { holderIdentity: "dead", leaseDurationSeconds: 1, renewTime: "2026-01-01T00:00:00.000000Z" },
  });
  const log: string[] = [];
  const a = candidate(c.client, "a", log);
  const started = Date.now();
  a.start();
  await until("a leads", () => a.isLeader, 5000);
  // Expiry is measured from when this candidate first saw the lease, not from its renewTime.
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  // Someone else writes the lease: a's renewals fail and it steps down.
  const lease = await c.client.get(LEASES, "kube-system", "ctl");
  await c.client.update(LEASES, "kube-system", { ...lease, spec: { ...(lease.spec as object), holderIdentity: "usurper", leaseDurationSeconds: 30 } });
  await until("a stops", () => log.includes("a stops"), 5000);
  expect(a.isLeader).toBe(false);
});
