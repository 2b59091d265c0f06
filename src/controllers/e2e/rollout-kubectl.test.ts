/**
 * Real kubectl 1.32 against a real `kts server --disable-agent` with the workload controllers
 * running: `kubectl rollout status|history|undo|restart|pause|resume`, `scale` and `wait` on a
 * Deployment. The test plays the kubelet (pods are marked Running and Ready through the API).
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import type { TestServer } from "../../testing/server.ts";
import { rolloutStatus, serverWithKubelet } from "./kubelet.ts";

// Server starts, restarts and many kubectl runs per test: 5 s is too tight on a loaded 2-core machine.
setDefaultTimeout(30_000);

let s: TestServer;
serverWithKubelet((server) => (s = server));

const status = (what: string) => rolloutStatus(s, what);

test("rollout status, set image, history, undo, restart, pause/resume, scale, wait", async () => {
  expect(await s.k("create", "deployment", "web", "--image=busybox:1", "--replicas=3")).toBe("deployment.apps/web created\n");
  let r = await status("deployment/web");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toEndWith('deployment "web" successfully rolled out\n');

  await s.k("set", "image", "deployment/web", "busybox=busybox:2");
  await s.k("annotate", "deployment/web", "kubernetes.io/change-cause=image 2");
  r = await status("deployment/web");
  expect(r.code).toBe(0);
  expect(await s.k("get", "deploy", "web", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}")).toBe("2");

  const history = await s.k("rollout", "history", "deployment/web");
  expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+image 2\n/);
  expect(await s.k("rollout", "history", "deployment/web", "--revision=1")).toContain("Image:\tbusybox:1");

  expect(await s.k("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
  r = await status("deployment/web");
  expect(r.code).toBe(0);
  expect(await s.k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}")).toBe("busybox:1 3");
  expect(await s.k("rollout", "history", "deployment/web")).toMatch(/\n2\s+image 2\n3\s+<none>\n/);

  expect(await s.k("rollout", "restart", "deployment/web")).toBe("deployment.apps/web restarted\n");
  r = await status("deployment/web");
  expect(r.code).toBe(0);
  expect(await s.k("get", "deploy", "web", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}")).toBe("4");

  expect(await s.k("rollout", "pause", "deployment/web")).toBe("deployment.apps/web paused\n");
  const undoPaused = await s.kubectl(["rollout", "undo", "deployment/web"]);
  expect(undoPaused.code).not.toBe(0);
  expect(undoPaused.stderr).toContain("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
  expect(await s.k("rollout", "resume", "deployment/web")).toBe("deployment.apps/web resumed\n");

  expect(await s.k("scale", "deployment/web", "--replicas=5")).toBe("deployment.apps/web scaled\n");
  r = await status("deployment/web");
  expect(r.code).toBe(0);
  expect(await s.k("wait", "--for=condition=Available", "deployment/web", "--timeout=30s")).toBe("deployment.apps/web condition met\n");
  const pods = await s.k("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}");
  expect(pods.trim().split("\n").filter((l) => l.endsWith(" Running")).length).toBeGreaterThanOrEqual(5);
  const wide = await s.k("get", "deploy", "web");
  expect(wide).toMatch(/\nweb\s+5\/5\s+5\s+5\s+/);
});
