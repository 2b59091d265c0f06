/**
 * Pods on real Docker Engine through the pod manager and an in-process API server: init
 * containers, a sidecar, containers sharing localhost and an emptyDir, env from a ConfigMap and a
 * Secret, probes (a failing liveness probe restarts a container), resource limits and a read-only
 * root file system in `docker inspect`, and an agent restart that adopts running containers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerAvailable } from "../../testing/docker.ts";
import { Runtime } from "../runtime/index.ts";
import type { Pod } from "../runtime/index.ts";
import { condition, containerStatus, isRunningReady, podTestEnv, TEST_IMAGE, type PodTestEnv } from "./testing.ts";

const hasDocker = await dockerAvailable();
let env: PodTestEnv;
let rt: Runtime;

const idOf = (p: Pod, name: string) => containerStatus(p, name)?.containerID?.replace("docker://", "") ?? "";
async function sh(p: Pod, container: string, script: string): Promise<{ exitCode: number; output: string }> {
  return rt.exec(idOf(p, container), ["sh", "-c", script], 10_000);
}

beforeAll(async () => {
  if (!hasDocker) return;
  env = await podTestEnv();
  rt = new Runtime(env.docker, env.nodeName);
  const cms = { group: "", version: "v1", resource: "configmaps" };
  const secrets = { group: "", version: "v1", resource: "secrets" };
  await env.cluster.client.create(cms, "default", { metadata: { name: "app-config" }, data: { GREETING: "hello", "log.level": "debug" } });
  await env.cluster.client.create(secrets, "default", { metadata: { name: "app-secret" }, data: { password: Buffer.from("s3cret").toString("base64") } });
}, 60_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

describe.skipIf(!hasDocker)("pods on Docker", () => {
  test("init containers in order, a sidecar, two containers sharing localhost and an emptyDir", async () => {
    await env.createPod(
      {
        volumes: [{ name: "shared", emptyDir: {} }],
        initContainers: [
          { name: "init-1", image: TEST_IMAGE, command: ["sh", "-c", "echo one >> /shared/order"], volumeMounts: [{ name: "shared", mountPath: "/shared" }] },
          { name: "init-2", image: TEST_IMAGE, command: ["sh", "-c", "echo two >> /shared/order; mkdir -p /shared/www; echo page > /shared/www/index.html"], volumeMounts: [{ name: "shared", mountPath: "/shared" }] },
          {
            name: "sidecar",
            image: TEST_IMAGE,
            restartPolicy: "Always",
            command: ["sh", "-c", "while true; do date >> /shared/sidecar.log; sleep 1; done"],
            volumeMounts: [{ name: "shared", mountPath: "/shared" }],
            startupProbe: { exec: { command: ["test", "-f", "/shared/sidecar.log"] }, periodSeconds: 1 },
          },
        ],
        containers: [
          { name: "web", image: TEST_IMAGE, command: ["httpd", "-f", "-p", "8080", "-h", "/shared/www"], ports: [{ containerPort: 8080 }], volumeMounts: [{ name: "shared", mountPath: "/shared" }], readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 } },
          { name: "client", image: TEST_IMAGE, command: ["sleep", "3600"], volumeMounts: [{ name: "shared", mountPath: "/data" }] },
        ],
      },
      "multi",
    );
    const p = await env.waitPod("multi", "is running and ready", isRunningReady);
    expect(condition(p, "Initialized")).toBe("True");
    expect(condition(p, "ContainersReady")).toBe("True");
    expect(p.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason ?? (s.state?.running ? "running" : "?")])).toEqual([
      ["init-1", "Completed"],
      ["init-2", "Completed"],
      ["sidecar", "running"],
    ]);
    expect(containerStatus(p, "sidecar")?.started).toBe(true);
    expect(containerStatus(p, "sidecar")?.ready).toBe(true);
    // The init containers ran in order, before the main containers.
    expect((await sh(p, "client", "cat /data/order")).output).toBe("one\ntwo\n");
    // Both main containers share the pod's network: the client reaches the web server on localhost.
    expect((await sh(p, "client", "wget -qO- http://localhost:8080/index.html")).output).toBe("page\n");
    // … and the emptyDir: what one writes the other reads.
    await sh(p, "web", "echo from-web > /shared/note");
    expect((await sh(p, "client", "cat /data/note")).output).toBe("from-web\n");
    // The pod IP answers from the host too (port-forward and probes use it).
    expect(p.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const res = await fetch(`http://${p.status?.podIP}:8080/index.html`);
    expect(await res.text()).toBe("page\n");
    // Hostname is the pod name; the sidecar keeps running.
    expect((await sh(p, "client", "hostname")).output.trim()).toBe("multi");
    expect((await sh(p, "client", "wc -l < /data/sidecar.log")).output.trim()).not.toBe("0");
  }, 90_000);

  test("env from a ConfigMap and a Secret, field and resource references, $(VAR) expansion", async () => {
    await env.createPod(
      {
        serviceAccountName: "default",
        containers: [
          {
            name: "app",
            image: TEST_IMAGE,
            command: ["sh", "-c", "echo $(GREETING)-$(POD_NAME) > /tmp/cmd; sleep 3600"],
            envFrom: [{ configMapRef: { name: "app-config" }, prefix: "CFG_" }],
            env: [
              { name: "GREETING", valueFrom: { configMapKeyRef: { name: "app-config", key: "GREETING" } } },
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "app-secret", key: "password" } } },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "POD_NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
              { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
              { name: "COMBINED", value: "$(GREETING)/$(PASSWORD)/$$(GREETING)/$(UNDEFINED)" },
              { name: "OPTIONAL", valueFrom: { secretKeyRef: { name: "missing", key: "x", optional: true } } },
            ],
            resources: { limits: { memory: "32Mi" } },
          },
        ],
      },
      "envs",
    );
    const p = await env.waitPod("envs", "is running", isRunningReady);
    const out = (await sh(p, "app", "env")).output;
    const vars = Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(vars.GREETING).toBe("hello");
    expect(vars["CFG_GREETING"]).toBe("hello");
    // Names a shell cannot hold are still in the container's environment.
    expect((await env.docker.getContainer(idOf(p, "app")).inspect()).Config.Env).toContain("CFG_log.level=debug");
    expect(vars.PASSWORD).toBe("s3cret");
    expect(vars.POD_NAME).toBe("envs");
    expect(vars.POD_NS).toBe("default");
    expect(vars.NODE).toBe(env.nodeName);
    expect(vars.POD_IP).toBe(p.status!.podIP!);
    expect(vars.MEM_MI).toBe("32");
    expect(vars.COMBINED).toBe("hello/s3cret/$(GREETING)/$(UNDEFINED)");
    expect(vars.OPTIONAL).toBeUndefined();
    expect((await sh(p, "app", "cat /tmp/cmd")).output).toBe("hello-envs\n");
  }, 90_000);

  test("a failing liveness probe restarts the container, counted in restartCount", async () => {
    await env.createPod(
      {
        containers: [
          {
            name: "app",
            image: TEST_IMAGE,
            // Healthy for a moment, then the liveness file disappears.
            command: ["sh", "-c", "touch /tmp/healthy; sleep 1; rm /tmp/healthy; sleep 3600"],
            livenessProbe: { exec: { command: ["test", "-f", "/tmp/healthy"] }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      },
      "liveness",
    );
    const p = await env.waitPod("liveness", "restarted", (x) => (containerStatus(x, "app")?.restartCount ?? 0) >= 1, 40_000);
    const s = containerStatus(p, "app")!;
    expect(s.lastState?.terminated?.exitCode).toBe(137);
    const events = await env.eventsUntil("liveness", (e) => e.reason === "Killing");
    expect(events.some((e) => e.reason === "Unhealthy" && e.message?.startsWith("Liveness probe failed"))).toBe(true);
    expect(events.some((e) => e.reason === "Killing" && e.message === "Container app failed liveness probe, will be restarted")).toBe(true);
    expect(events.find((e) => e.reason === "Started")?.involvedObject?.fieldPath).toBe("spec.containers{app}");
  }, 90_000);

  test("resource limits in docker inspect, QoS class, and a read-only root file system", async () => {
    await env.createPod(
      {
        securityContext: { fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
        volumes: [{ name: "tmp", emptyDir: {} }],
        containers: [
          {
            name: "app",
            image: TEST_IMAGE,
            command: ["sleep", "3600"],
            resources: { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["NET_RAW"] }, runAsUser: 1000, runAsGroup: 3000 },
            volumeMounts: [{ name: "tmp", mountPath: "/scratch" }],
          },
        ],
      },
      "limits",
    );
    const p = await env.waitPod("limits", "is running", isRunningReady);
    expect(p.status?.qosClass).toBe("Burstable");
    const info = await env.docker.getContainer(idOf(p, "app")).inspect();
    expect(info.HostConfig.CpuQuota).toBe(50_000);
    expect(info.HostConfig.CpuPeriod).toBe(100_000);
    expect(info.HostConfig.CpuShares).toBe(256);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(["NET_RAW"]);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(info.Config.User).toBe("1000:3000");
    expect(info.HostConfig.NetworkMode).toStartWith("container:");
    // The read-only root file system is enforced; the emptyDir stays writable.
    const ro = await sh(p, "app", "touch /rootfile 2>&1; echo rc=$?");
    expect(ro.output).toContain("Read-only file system");
    expect((await sh(p, "app", "touch /scratch/ok && echo written")).output).toBe("written\n");
    expect((await sh(p, "app", "id -u; id -g")).output).toBe("1000\n3000\n");
    // fsGroup: a supplementary group of the process, owning the emptyDir (setgid, group-writable).
    expect((await sh(p, "app", "id -G")).output.trim().split(" ")).toContain("2000");
    expect((await sh(p, "app", "stat -c '%g %A' /scratch")).output.trim()).toBe("2000 drwxrwsrwx");
    expect(info.HostConfig.SecurityOpt).not.toContain("seccomp=unconfined");
    // The cgroup holds the limit.
    expect((await sh(p, "app", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")).output.trim()).toBe(String(64 * 1024 * 1024));
  }, 90_000);

  test("a restarted agent adopts running containers without restarting them", async () => {
    const before = await env.getPod("multi");
    const ids = ["web", "client", "sidecar"].map((n) => idOf(before!, n));
    expect(ids.every(Boolean)).toBe(true);
    await env.restart();
    // Give the new manager a few resyncs, then compare.
    await Bun.sleep(2500);
    const after = await env.waitPod("multi", "is running and ready", isRunningReady);
    expect(["web", "client", "sidecar"].map((n) => idOf(after, n))).toEqual(ids);
    expect(["web", "client", "sidecar"].map((n) => containerStatus(after, n)?.restartCount)).toEqual([0, 0, 0]);
    for (const id of ids) expect((await env.docker.getContainer(id).inspect()).State.Running).toBe(true);
    // The init containers did not run again.
    expect((await sh(after, "client", "cat /data/order")).output).toBe("one\ntwo\n");
  }, 90_000);

  test("a pod deleted while the agent is down: the next agent removes its containers", async () => {
    const p = await env.getPod("envs");
    const uid = p!.metadata!.uid!;
    await env.manager.stop();
    await env.cluster.client.delete({ group: "", version: "v1", resource: "pods" }, "default", "envs", { gracePeriodSeconds: 0 });
    expect((await rt.listPod(uid)).some((c) => c.state === "running")).toBe(true);
    await env.restart();
    const deadline = Date.now() + 20_000;
    while ((await rt.listPod(uid)).length > 0 && Date.now() < deadline) await Bun.sleep(100);
    expect(await rt.listPod(uid)).toEqual([]);
  }, 90_000);
});
