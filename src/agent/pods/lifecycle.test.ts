/**
 * Pod lifecycles on real Docker Engine: restart policies and CrashLoopBackOff, termination
 * messages, graceful deletion with preStop, postStart hooks, hostPorts, a killed sandbox, the
 * active deadline, emptyDir sizeLimit eviction, and ConfigMap volume updates.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerAvailable } from "../../testing/docker.ts";
import { Runtime } from "../runtime/index.ts";
import type { Pod } from "../runtime/index.ts";
import { containerStatus, isRunningReady, PODS, podTestEnv, TEST_IMAGE, type PodTestEnv } from "./testing.ts";

const hasDocker = await dockerAvailable();
let env: PodTestEnv;
let rt: Runtime;
const hostDir = mkdtempSync(join(tmpdir(), "kts-hostpath-"));
const CMS = { group: "", version: "v1", resource: "configmaps" };

const idOf = (p: Pod, name: string) => containerStatus(p, name)?.containerID?.replace("docker://", "") ?? "";
const phase = (want: string) => (p: Pod) => p.status?.phase === want;

beforeAll(async () => {
  if (!hasDocker) return;
  env = await podTestEnv();
  rt = new Runtime(env.docker, env.nodeName);
}, 60_000);

afterAll(async () => {
  await env?.close();
  rmSync(hostDir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!hasDocker)("pod lifecycle", () => {
  test("restart policies: Never fails, OnFailure succeeds, Always crash-loops with backoff and keeps the previous instance", async () => {
    await Promise.all([
      env.createPod({ restartPolicy: "Never", containers: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "echo broken >&2; exit 3"], terminationMessagePolicy: "FallbackToLogsOnError" }] }, "never"),
      env.createPod({ restartPolicy: "OnFailure", containers: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "echo done > /dev/termination-log"] }] }, "onfailure"),
      env.createPod({ containers: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "echo crash; exit 1"] }] }, "crashy"),
    ]);
    const never = await env.waitPod("never", "failed", phase("Failed"));
    const t = containerStatus(never, "app")?.state?.terminated;
    expect(t?.exitCode).toBe(3);
    expect(t?.reason).toBe("Error");
    expect(t?.message).toBe("broken\n");
    expect(never.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("PodFailed");

    const ok = await env.waitPod("onfailure", "succeeded", phase("Succeeded"));
    expect(containerStatus(ok, "app")?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed", message: "done\n" });

    const crashy = await env.waitPod("crashy", "crash-loops", (p) => containerStatus(p, "app")?.state?.waiting?.reason === "CrashLoopBackOff" && (containerStatus(p, "app")?.restartCount ?? 0) >= 2);
    const s = containerStatus(crashy, "app")!;
    expect(s.state?.waiting?.message).toMatch(/^back-off \d+(\.\d+)?(ms|s) restarting failed container=app pod=crashy_default\(/);
    expect(s.lastState?.terminated?.exitCode).toBe(1);
    expect(crashy.status?.phase).toBe("Running");
    // The previous instance is still in Docker (kubectl logs --previous reads it).
    const prevId = s.lastState!.terminated!.containerID!.replace("docker://", "");
    const logs = (await env.docker.getContainer(prevId).logs({ stdout: true })).toString();
    expect(logs).toContain("crash");
    const events = await env.eventsUntil("crashy", (e) => e.reason === "BackOff");
    expect(events.some((e) => e.reason === "BackOff" && e.message === `Back-off restarting failed container app in pod crashy_default(${crashy.metadata?.uid})`)).toBe(true);
  }, 90_000);

  test("graceful deletion runs preStop, stops with SIGTERM, removes the pod and its containers", async () => {
    await env.createPod(
      {
        terminationGracePeriodSeconds: 10,
        volumes: [{ name: "host", hostPath: { path: hostDir } }],
        containers: [
          {
            name: "app",
            image: TEST_IMAGE,
            command: ["sh", "-c", "trap 'echo term > /host/term; exit 0' TERM; while true; do sleep 0.1; done"],
            volumeMounts: [{ name: "host", mountPath: "/host" }],
            lifecycle: {
              postStart: { exec: { command: ["sh", "-c", "echo started > /host/poststart"] } },
              preStop: { exec: { command: ["sh", "-c", "echo bye > /host/prestop"] } },
            },
          },
        ],
      },
      "graceful",
    );
    const p = await env.waitPod("graceful", "runs", isRunningReady);
    expect(readFileSync(join(hostDir, "poststart"), "utf8")).toBe("started\n");
    const uid = p.metadata!.uid!;
    const started = Date.now();
    await env.cluster.client.delete(PODS, "default", "graceful");
    const deadline = Date.now() + 20_000;
    while ((await env.getPod("graceful")) && Date.now() < deadline) await Bun.sleep(50);
    expect(await env.getPod("graceful")).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(9000); // stopped by SIGTERM, not after the grace period
    expect(readFileSync(join(hostDir, "prestop"), "utf8")).toBe("bye\n");
    expect(readFileSync(join(hostDir, "term"), "utf8")).toBe("term\n");
    const gone = Date.now() + 10_000;
    let left = 1;
    while (Date.now() < gone && (left = (await rt.listPod(uid)).length) > 0) await Bun.sleep(50);
    expect(left).toBe(0);
    expect(existsSync(join(env.dataDir, "pods", uid))).toBe(false);
    const reasons = (await env.eventsUntil("graceful", (e) => e.reason === "Killing")).map((e) => e.reason);
    expect(reasons).toContain("Killing");
  }, 90_000);

  test("hostPorts are published on the sandbox; a killed sandbox is recreated with its containers", async () => {
    const port = 30000 + (process.pid % 2000);
    await env.createPod({ containers: [{ name: "web", image: TEST_IMAGE, command: ["sh", "-c", "echo hi > /tmp/index.html; httpd -f -p 80 -h /tmp"], ports: [{ containerPort: 80, hostPort: port, hostIP: "127.0.0.1" }] }] }, "hostport");
    const p = await env.waitPod("hostport", "runs", isRunningReady);
    let body = "";
    for (let i = 0; i < 40 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/index.html`).then(
        (r) => r.text(),
        () => "",
      );
      if (!body) await Bun.sleep(100);
    }
    expect(body).toBe("hi\n");
    const sandbox = (await rt.listPod(p.metadata!.uid!)).find((c) => c.name === "POD")!;
    await env.docker.getContainer(sandbox.id).kill();
    const back = await env.waitPod("hostport", "runs again", (x) => isRunningReady(x) && containerStatus(x, "web")?.restartCount === 1);
    expect(idOf(back, "web")).not.toBe(idOf(p, "web"));
    expect((await env.eventsUntil("hostport", (e) => e.reason === "SandboxChanged")).some((e) => e.reason === "SandboxChanged")).toBe(true);
  }, 90_000);

  test("activeDeadlineSeconds and emptyDir sizeLimit fail the pod", async () => {
    await Promise.all([
      env.createPod({ activeDeadlineSeconds: 1, containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"] }] }, "deadline"),
      env.createPod(
        {
          volumes: [{ name: "small", emptyDir: { sizeLimit: "1Mi" } }],
          containers: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "dd if=/dev/zero of=/small/big bs=1024 count=3072; sleep 3600"], volumeMounts: [{ name: "small", mountPath: "/small" }] }],
        },
        "evicted",
      ),
    ]);
    const d = await env.waitPod("deadline", "fails", phase("Failed"));
    expect(d.status?.reason).toBe("DeadlineExceeded");
    const e = await env.waitPod("evicted", "is evicted", phase("Failed"));
    expect(e.status?.reason).toBe("Evicted");
    expect(e.status?.message).toContain('Usage of EmptyDir volume "small" exceeds the limit "1Mi"');
  }, 90_000);

  test("a ConfigMap volume follows its ConfigMap", async () => {
    await env.cluster.client.create(CMS, "default", { metadata: { name: "live" }, data: { value: "v1" } });
    await env.createPod({ volumes: [{ name: "cfg", configMap: { name: "live" } }], containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"], volumeMounts: [{ name: "cfg", mountPath: "/cfg" }] }] }, "cfgvol");
    const p = await env.waitPod("cfgvol", "runs", isRunningReady);
    const read = async () => (await rt.exec(idOf(p, "app"), ["cat", "/cfg/value"], 5000)).output;
    expect(await read()).toBe("v1");
    await env.cluster.client.patch(CMS, "default", "live", "application/merge-patch+json", { data: { value: "v2" } });
    const deadline = Date.now() + 15_000;
    while ((await read()) !== "v2" && Date.now() < deadline) await Bun.sleep(100);
    expect(await read()).toBe("v2");
  }, 90_000);

  test("ephemeral containers run when added (kubectl debug), in their target's process namespace", async () => {
    await env.createPod({ containers: [{ name: "app", image: TEST_IMAGE, command: ["sh", "-c", "exec sleep 3600"] }] }, "debugged");
    const p = await env.waitPod("debugged", "runs", isRunningReady);
    await env.cluster.client.update(
      PODS,
      "default",
      { ...p, spec: { ...p.spec!, ephemeralContainers: [{ name: "debugger", image: TEST_IMAGE, command: ["sleep", "3600"], targetContainerName: "app" }] } } as never,
      { subresource: "ephemeralcontainers" },
    );
    const d = await env.waitPod("debugged", "runs the debugger", (x) => !!containerStatus(x, "debugger")?.state?.running);
    // The debugger sees the target's processes.
    const ps = await rt.exec(idOf(d, "debugger"), ["sh", "-c", "cat /proc/*/cmdline | tr '\\0' ' '"], 5000);
    expect(ps.output).toContain("sleep 3600");
    const ev = await env.eventsUntil("debugged", (e) => e.reason === "Started" && e.involvedObject?.fieldPath === "spec.ephemeralContainers{debugger}");
    expect(ev.some((e) => e.reason === "Started" && e.involvedObject?.fieldPath === "spec.ephemeralContainers{debugger}")).toBe(true);
  }, 90_000);

  test("hostNetwork pods use the node's network and IP", async () => {
    await env.createPod({ hostNetwork: true, containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"] }] }, "hostnet");
    const p = await env.waitPod("hostnet", "runs", isRunningReady);
    expect(p.status?.podIP).toBe("127.0.0.1");
    const sandbox = (await rt.listPod(p.metadata!.uid!)).find((c) => c.name === "POD")!;
    expect((await env.docker.getContainer(sandbox.id).inspect()).HostConfig.NetworkMode).toBe("host");
  }, 90_000);
});
