/**
 * For end-to-end tests without an agent: plays the kubelet's part over HTTPS, marking every pod
 * in a namespace Running and Ready through pods/status soon after it appears (polling the list),
 * and finishing the graceful deletion of pods a scheduler bound to a node (grace period 0).
 */
import { afterAll, beforeAll, expect } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { apiClient } from "../../testing/api-client.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

export function httpKubelet(kubeconfig: string, namespace: string): { stop(): Promise<void> } {
  const api = apiClient(kubeconfig);
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const list = await api.get<{ items: PodLike[] }>(`/api/v1/namespaces/${namespace}/pods`);
        for (const pod of list.items) {
          if (pod.metadata?.deletionTimestamp) {
            await api.request(`/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}`, { method: "DELETE", body: { gracePeriodSeconds: 0 } });
            continue;
          }
          if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
          const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
          const status = {
            ...pod.status,
            phase: "Running",
            conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastTransitionTime: now })),
          };
          // A conflict just means the pod changed: the next round sees it.
          await api.request(`/api/v1/namespaces/${namespace}/pods/${pod.metadata!.name}/status`, { method: "PUT", body: { ...pod, status } });
        }
      } catch {
        // The server may be stopping; try again.
      }
      await Bun.sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/**
 * A test file's `kts server` with httpKubelet playing the kubelet in "default": started before
 * the file's tests (handed to `use`) and stopped after them, the server exiting cleanly.
 */
export function serverWithKubelet(use: (s: TestServer) => void): void {
  let s: TestServer | undefined;
  let kubelet: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    s = await startTestServer();
    kubelet = httpKubelet(s.kubeconfig, "default");
    use(s);
  });
  afterAll(async () => {
    await kubelet?.stop();
    expect(await s?.stop()).toBe(0);
  });
}

/** `kubectl rollout status` with a deadline that suits a slow machine. */
export function rolloutStatus(s: TestServer, what: string): ReturnType<TestServer["kubectl"]> {
  return s.kubectl(["rollout", "status", what, "--timeout=60s"], { timeoutMs: 70_000 });
}
