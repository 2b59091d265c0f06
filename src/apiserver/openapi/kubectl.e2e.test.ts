/**
 * The real kubectl 1.32 against our OpenAPI documents (served by a stub server with discovery,
 * see testdata/stub-server.ts): explain, and the client-side validation flow of create/apply.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlPath } from "../../testing/kubectl.ts";
import { createOpenApi, type OpenApiOptions } from "./service.ts";
import { builtins } from "./testdata/resources.ts";
import { startStubServer, type StubServer } from "./testdata/stub-server.ts";

const KUBECTL = kubectlPath();

interface Cluster {
  server: StubServer;
  dir: string;
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

function cluster(options: OpenApiOptions = {}): Cluster {
  const server = startStubServer(createOpenApi(builtins, options), builtins);
  const dir = mkdtempSync(join(tmpdir(), "kts-openapi-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: server.url } }],
      users: [{ name: "u", user: {} }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u", namespace: "default" } }],
      "current-context": "c",
    }),
  );
  return {
    server,
    dir,
    // Asynchronous: the stub server answers from this same event loop.
    async kubectl(args, stdin) {
      const p = Bun.spawn([KUBECTL, "--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args], {
        stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
        timeout: 20_000,
      });
      const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { code, stdout, stderr };
    },
  };
}

const pod = (container: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" }, spec: { containers: [container] } });

describe("kubectl 1.32 and /openapi", () => {
  let c: Cluster;
  beforeAll(() => {
    c = cluster();
  });
  afterAll(() => {
    c.server.stop();
    rmSync(c.dir, { recursive: true, force: true });
  });

  test("explain pod.spec.containers", async () => {
    const r = await c.kubectl(["explain", "pod.spec.containers"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("KIND:       Pod\nVERSION:    v1\n");
    expect(r.stdout).toContain("FIELD: containers <[]Container>");
    expect(r.stdout).toContain("A single application container that you want to run within a pod.");
    expect(r.stdout).toMatch(/\n {2}name\t<string> -required-\n/);
    expect(r.stdout).toMatch(/\n {2}image\t<string>\n {4}Container image name\./);
    expect(r.stdout).toMatch(/\n {2}ports\t<\[\]ContainerPort>\n/);
  });

  test("explain deployment.spec --recursive and a missing field", async () => {
    const r = await c.kubectl(["explain", "deployments.spec", "--recursive"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n");
    expect(r.stdout).toMatch(/\n {2}selector\t<LabelSelector> -required-\n/);
    expect(r.stdout).toMatch(/\n {6}maxSurge\t<IntOrString>\n/);
    const missing = await c.kubectl(["explain", "pods.spec.nope"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('field "nope" does not exist');
  });

  test("create -f: kubectl trusts the server's validation (no v2 fetch) and shows its strict decoding error", async () => {
    const before = c.server.requests.length;
    const ok = await c.kubectl(["create", "-f", "-"], pod({ name: "a", image: "nginx" }));
    expect(ok.stderr).toBe("");
    expect(ok.stdout.trim()).toBe("pod/web created");
    const seen = c.server.requests.slice(before);
    const post = seen.find((r) => r.method === "POST")!;
    expect(post.query.get("fieldValidation")).toBe("Strict");
    expect(seen.some((r) => r.path === "/openapi/v3")).toBe(true);
    expect(seen.some((r) => r.path === "/openapi/v2")).toBe(false);

    const bad = await c.kubectl(["create", "-f", "-"], pod({ name: "a", imagee: "nginx" }));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"',
    );
  });

  test("the hashed group-version URL is fetched once: kubectl's disk cache honours immutable", () => {
    const fetches = c.server.requests.filter((r) => r.path === "/openapi/v3/api/v1");
    expect(fetches.length).toBe(1);
    expect(fetches[0]!.query.get("hash")).toMatch(/^[0-9A-F]{128}$/);
    expect(c.server.requests.some((r) => r.path === "/openapi/v2")).toBe(false);
  });
});

describe("kubectl 1.32 client-side apply reads patch metadata from /openapi/v3", () => {
  /** Applies a pod whose containers changed from [a, c] to [a, b]; returns the PATCH body. */
  async function applyPatch(options: OpenApiOptions): Promise<{ spec: Record<string, unknown> }> {
    const c = cluster(options);
    try {
      const last = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" }, spec: { containers: [{ name: "a", image: "nginx" }, { name: "c", image: "x" }] } };
      c.server.objects.set("/api/v1/namespaces/default/pods/web", {
        ...last,
        metadata: { ...last.metadata, uid: "1", resourceVersion: "1", annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(last) } },
      });
      const next = { ...last, spec: { containers: [{ name: "a", image: "nginx:2" }, { name: "b", image: "busybox" }] } };
      const r = await c.kubectl(["apply", "-f", "-"], JSON.stringify(next));
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("pod/web configured");
      const patch = c.server.requests.find((q) => q.method === "PATCH")!;
      expect(patch.contentType).toBe("application/strategic-merge-patch+json");
      expect(patch.query.get("fieldValidation")).toBe("Strict");
      return JSON.parse(patch.body) as { spec: Record<string, unknown> };
    } finally {
      c.server.stop();
      rmSync(c.dir, { recursive: true, force: true });
    }
  }

  test("with the merge keys: merges containers by name and deletes the removed one", async () => {
    const body = await applyPatch({});
    expect(body.spec["$setElementOrder/containers"]).toEqual([{ name: "a" }, { name: "b" }]);
    expect(body.spec.containers).toContainEqual({ $patch: "delete", name: "c" });
  });

  test("without them kubectl replaces the list (so the documents are what it reads)", async () => {
    const body = await applyPatch({ fieldExtensions: null });
    expect(body.spec["$setElementOrder/containers"]).toBeUndefined();
    expect(body.spec.containers).toEqual([{ image: "nginx:2", name: "a" }, { image: "busybox", name: "b" }]);
  });
});
