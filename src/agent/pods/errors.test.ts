/**
 * Pods that cannot run say why, in status and events, and recover once the cause is fixed: a
 * missing Secret (CreateContainerConfigError), a missing ConfigMap volume (FailedMount), an image
 * that cannot be pulled (ErrImagePull, then ImagePullBackOff), runAsNonRoot over a root image,
 * and pull policy Never with an absent image.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerAvailable } from "../../testing/docker.ts";
import { containerStatus, isRunningReady, podTestEnv, TEST_IMAGE, type PodTestEnv } from "./testing.ts";
import type { CoreEvent, Pod } from "../runtime/index.ts";

const hasDocker = await dockerAvailable();
let env: PodTestEnv;
const waiting = (reason: string) => (p: Pod) => containerStatus(p, "app")?.state?.waiting?.reason === reason;

beforeAll(async () => {
  if (hasDocker) env = await podTestEnv();
}, 60_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

describe.skipIf(!hasDocker)("pods that cannot run", () => {
  test("missing Secret and ConfigMap: CreateContainerConfigError and FailedMount, then recovery", async () => {
    await Promise.all([
      env.createPod({ containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"], env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "later", key: "pw" } } }] }] }, "needs-secret"),
      env.createPod({ volumes: [{ name: "cfg", configMap: { name: "later-cm" } }], containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"], volumeMounts: [{ name: "cfg", mountPath: "/cfg" }] }] }, "needs-cm"),
    ]);
    const s = await env.waitPod("needs-secret", "reports the missing secret", waiting("CreateContainerConfigError"));
    expect(containerStatus(s, "app")?.state?.waiting?.message).toBe('secret "later" not found');
    expect(s.status?.phase).toBe("Pending");
    const failed = (e: CoreEvent) => e.type === "Warning" && e.reason === "Failed" && e.message === 'Error: secret "later" not found' && e.involvedObject?.fieldPath === "spec.containers{app}";
    expect((await env.eventsUntil("needs-secret", failed)).some(failed)).toBe(true);

    const c = await env.waitPod("needs-cm", "stays pending", (p) => containerStatus(p, "app")?.state?.waiting?.reason === "ContainerCreating");
    expect(c.status?.phase).toBe("Pending");
    const deadline = Date.now() + 10_000;
    let mountEvents: string[] = [];
    while (Date.now() < deadline && mountEvents.length === 0) {
      mountEvents = (await env.events("needs-cm")).filter((e) => e.reason === "FailedMount").map((e) => e.message ?? "");
      await Bun.sleep(100);
    }
    expect(mountEvents[0]).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "later-cm" not found');

    await env.cluster.client.create({ group: "", version: "v1", resource: "secrets" }, "default", { metadata: { name: "later" }, data: { pw: Buffer.from("x").toString("base64") } });
    await env.cluster.client.create({ group: "", version: "v1", resource: "configmaps" }, "default", { metadata: { name: "later-cm" }, data: { k: "v" } });
    await env.waitPod("needs-secret", "runs once the secret exists", isRunningReady);
    await env.waitPod("needs-cm", "runs once the configmap exists", isRunningReady);
  }, 90_000);

  test("an image that cannot be pulled: ErrImagePull, then ImagePullBackOff", async () => {
    // A registry on a closed loopback port: the pull fails at once and nothing leaves the machine.
    const image = "127.0.0.1:1/kts-missing/image:1";
    await env.createPod({ containers: [{ name: "app", image, imagePullPolicy: "IfNotPresent" }] }, "nopull");
    const p = await env.waitPod("nopull", "backs off pulling", waiting("ImagePullBackOff"), 60_000);
    expect(containerStatus(p, "app")?.state?.waiting?.message).toContain(`Back-off pulling image "${image}"`);
    const ev = await env.eventsUntil("nopull", (e) => e.reason === "BackOff");
    expect(ev.some((e) => e.reason === "Pulling" && e.message === `Pulling image "${image}"`)).toBe(true);
    expect(ev.some((e) => e.reason === "Failed" && e.message?.startsWith(`Failed to pull image "${image}": `))).toBe(true);
    expect(ev.some((e) => e.reason === "Failed" && e.message === "Error: ErrImagePull")).toBe(true);
    expect(ev.some((e) => e.reason === "BackOff" && e.message === `Back-off pulling image "${image}"`)).toBe(true);
  }, 90_000);

  test("runAsNonRoot over a root image, and pull policy Never with an absent image", async () => {
    await Promise.all([
      env.createPod({ securityContext: { runAsNonRoot: true }, containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"] }] }, "nonroot"),
      env.createPod({ containers: [{ name: "app", image: "kts.test/absent:1", imagePullPolicy: "Never" }] }, "neverpull"),
    ]);
    const n = await env.waitPod("nonroot", "refuses to run as root", waiting("CreateContainerConfigError"));
    expect(containerStatus(n, "app")?.state?.waiting?.message).toBe(
      `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${n.metadata?.uid})", container: app)`,
    );
    const np = await env.waitPod("neverpull", "reports the absent image", waiting("ErrImageNeverPull"));
    expect(containerStatus(np, "app")?.state?.waiting?.message).toBe('Container image "kts.test/absent:1" is not present with pull policy of Never');
  }, 90_000);
});
