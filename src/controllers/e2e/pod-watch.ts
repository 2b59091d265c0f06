/**
 * For end-to-end tests on real nodes: follows the pods matching a label selector through one API
 * watch (started from a list, so no change is missed) and keeps, after every event, what a test
 * asserts on: the pods as they are now, and the order in which pods appeared and became ready.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { apiClient, type WatchStream } from "../../testing/api-client.ts";

export interface PodWatch {
  /** The pods as of the last event, by name. */
  readonly pods: Map<string, V1Pod>;
  /** Called after each event (and once after the initial list) with the current pods. */
  onChange(fn: (pods: Map<string, V1Pod>) => void): void;
  /** Event sequence numbers: when each pod name was first seen, and first seen Running and Ready. */
  readonly firstSeen: Map<string, number>;
  readonly firstReady: Map<string, number>;
  /** Event sequence numbers: when each pod was first seen with a deletionTimestamp, and when it was deleted. */
  readonly firstTerminating: Map<string, number>;
  readonly deleted: Map<string, number>;
  /** Each deleted pod as its DELETED event carried it (its last state). */
  readonly final: Map<string, V1Pod>;
  /** Resolves once `cond` holds for the current pods (checked after every event), or rejects after `timeoutMs`. */
  until(what: string, cond: (pods: Map<string, V1Pod>) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Running, Ready and not being deleted: what a controller counts as available (minReadySeconds 0). */
export function podReady(p: V1Pod): boolean {
  return !p.metadata?.deletionTimestamp && p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Not being deleted and not finished: what a ReplicaSet counts in status.replicas. */
export function podActive(p: V1Pod): boolean {
  return !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

export async function watchPods(kubeconfig: string, namespace: string, labelSelector: string): Promise<PodWatch> {
  const api = apiClient(kubeconfig);
  const base = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(labelSelector)}`;
  const list = await api.get<{ metadata: { resourceVersion: string }; items: V1Pod[] }>(base);
  const stream: WatchStream = await api.watch(`${base}&watch=1&timeoutSeconds=900&resourceVersion=${list.metadata.resourceVersion}`);
  const pods = new Map<string, V1Pod>();
  const firstSeen = new Map<string, number>();
  const firstReady = new Map<string, number>();
  const firstTerminating = new Map<string, number>();
  const deleted = new Map<string, number>();
  const final = new Map<string, V1Pod>();
  const listeners: Array<(pods: Map<string, V1Pod>) => void> = [];
  let seq = 0;
  let closed = false;
  let failure: Error | undefined;

  const record = (p: V1Pod, gone: boolean) => {
    const name = p.metadata!.name!;
    seq++;
    if (gone) pods.delete(name);
    else pods.set(name, p);
    if (!firstSeen.has(name)) firstSeen.set(name, seq);
    if (!gone && podReady(p) && !firstReady.has(name)) firstReady.set(name, seq);
    if (p.metadata?.deletionTimestamp && !firstTerminating.has(name)) firstTerminating.set(name, seq);
    if (gone) {
      deleted.set(name, seq);
      final.set(name, p);
    }
  };
  const notify = () => {
    for (const fn of listeners) {
      try {
        fn(pods);
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  for (const p of list.items) record(p, false);

  const loop = (async () => {
    while (!closed) {
      const ev = await stream.next(1000);
      if (!ev) {
        if (stream.ended()) {
          if (!closed) failure ??= new Error("the pod watch ended early");
          return;
        }
        continue;
      }
      if (ev.type === "BOOKMARK") continue;
      if (ev.type === "ERROR") {
        failure ??= new Error(`pod watch error: ${JSON.stringify(ev.object)}`);
        return;
      }
      record(ev.object as V1Pod, ev.type === "DELETED");
      notify();
    }
  })();

  return {
    pods,
    firstSeen,
    firstReady,
    firstTerminating,
    deleted,
    final,
    onChange(fn) {
      listeners.push(fn);
      fn(pods);
    },
    async until(what, cond, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (failure) throw failure;
        if (cond(pods)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; pods: ${[...pods.values()].map(describe).join(", ")}`);
        await Bun.sleep(50);
      }
    },
    close() {
      closed = true;
      stream.close();
      void loop;
      if (failure) throw failure;
    },
  };
}

function describe(p: V1Pod): string {
  return `${p.metadata?.name}(${p.status?.phase}${podReady(p) ? ",ready" : ""}${p.metadata?.deletionTimestamp ? ",terminating" : ""})`;
}
