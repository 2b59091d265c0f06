/**
 * Streaming end to end, as users meet it: real kubectl 1.32 (WebSocket) and 1.27 (SPDY), a real
 * `kts server` with its embedded agent running pods on real Docker, and every byte going through
 * the tunnel the agent opened: logs (-f, --tail, --previous errors, several containers, -l,
 * --prefix), exec with stdin and exit codes, cp both ways, port-forward to busybox httpd, attach,
 * and kubectl debug with an ephemeral container; each of them in the audit log.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Exec, KubeConfig, PortForward } from "@kubernetes/client-node";
import { createServer } from "node:net";
import { PassThrough } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { connectWebSocket, UpgradeRefusedError } from "../../httpstream/index.ts";
import { readKubeconfig } from "../../pki/index.ts";
import { TUNNEL_PATH } from "../../tunnel/index.ts";
import { apiClient, type ApiClient } from "../../testing/api-client.ts";
import { dockerAvailable, ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../testing/docker.ts";
import { kubectlPath } from "../../testing/kubectl.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

const VERSIONS = [32, 27] as const;
type Version = (typeof VERSIONS)[number];

let s: TestServer;
let node: string;
let scratch: string;
let api: ApiClient;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a given kubectl version against the server. */
async function kubectl(version: Version, args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<Run> {
  const child = Bun.spawn([kubectlPath(version), "--kubeconfig", s.kubeconfig, ...args], {
    stdin: opts.stdin !== undefined ? new Blob([opts.stdin]) : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.dataDir },
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(killer);
  return { code, stdout, stderr };
}

async function ok(version: Version, args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(version, args, { stdin });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A long-running kubectl (logs -f, port-forward) whose output is collected as it comes. */
function background(version: Version, args: string[]) {
  const child = Bun.spawn([kubectlPath(version), "--kubeconfig", s.kubeconfig, ...args], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.dataDir } });
  let out = "";
  let err = "";
  void (async () => {
    for await (const c of child.stdout) out += new TextDecoder().decode(c);
  })();
  void (async () => {
    for await (const c of child.stderr) err += new TextDecoder().decode(c);
  })();
  return {
    child,
    out: () => out,
    err: () => err,
    /** Waits (generously) until the output matches. */
    async waitFor(re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${re} in output:\n${out}\nstderr:\n${err}`);
        await Bun.sleep(50);
      }
    },
    async stop(): Promise<number> {
      child.kill();
      return child.exited;
    },
  };
}

function pod(name: string, containers: Array<Record<string, unknown>>, extra: { labels?: Record<string, string>; restartPolicy?: string } = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: extra.labels },
    spec: {
      nodeName: node,
      restartPolicy: extra.restartPolicy ?? "Always",
      terminationGracePeriodSeconds: 1,
      containers: containers.map((c) => ({ image: TEST_IMAGE, imagePullPolicy: "Never", ...c })),
    },
  };
}

const available = await dockerAvailable();

/** Only the streaming subresources, so the test reads their events alone. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources:
  - group: ""
    resources: ["pods/exec", "pods/attach", "pods/portforward", "pods/log"]
- level: None
`;

interface AuditLine {
  auditID: string;
  user?: { username?: string };
  stage: string;
  verb: string;
  requestURI: string;
  objectRef?: { subresource?: string; name?: string };
  responseStatus?: { code?: number };
}

function auditLines(): AuditLine[] {
  let text = "";
  try {
    text = readFileSync(join(scratch, "audit.log"), "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as AuditLine);
}

describe.skipIf(!available)("kubectl streaming through the agent tunnel", () => {
  beforeAll(async () => {
    await ensureTestImage();
    scratch = mkdtempSync(join(tmpdir(), "kts-stream-"));
    writeFileSync(join(scratch, "audit-policy.yaml"), AUDIT_POLICY);
    s = await startTestServer(["--audit-policy-file", join(scratch, "audit-policy.yaml"), "--audit-log-path", join(scratch, "audit.log")], { agent: true });
    node = s.nodeName!;
    api = apiClient(s.kubeconfig);
    const pods = [
      pod("web", [{ name: "httpd", command: ["sh", "-c", "mkdir -p /www && echo hello from httpd > /www/index.html && exec httpd -f -p 8080 -h /www"] }]),
      pod("shell", [{ name: "main", command: ["sh", "-c", "mkdir -p /data && echo in the pod > /data/f.txt && exec sleep 3600"] }]),
      pod("ticker", [{ name: "tick", command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"] }]),
      pod("two", [{ name: "a", command: ["sh", "-c", "echo from a; exec sleep 3600"] }, { name: "b", command: ["sh", "-c", "echo from b; exec sleep 3600"] }], { labels: { app: "two" } }),
      pod("counted", [{ name: "c", command: ["sh", "-c", "for i in 1 2 3; do echo n$i; sleep 1; done"] }], { restartPolicy: "Never" }),
      // Restarts (after the kubelet's 10 s back-off) while the other tests run: --previous reads its first run.
      pod("crasher", [{ name: "c", command: ["sh", "-c", "echo run at $(date +%s); exit 1"] }]),
    ];
    await s.kubectl(["apply", "-f", "-"], { stdin: pods.map((p) => JSON.stringify(p)).join("\n") });
    await s.k("wait", "--for=condition=Ready", "pod/web", "pod/shell", "pod/ticker", "pod/two", "--timeout=90s");
  }, 150_000);

  afterAll(async () => {
    await s?.stop();
    await removeTestContainers();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("logs: a container's output, --tail, --timestamps, --limit-bytes; all containers, -l and --prefix", async () => {
    for (let tries = 0; tries < 100 && !(await ok(32, ["logs", "ticker"])).includes("tick 3\n"); tries++) await Bun.sleep(200);
    for (const v of VERSIONS) {
      expect(await ok(v, ["logs", "shell"])).toBe("");
      expect(await ok(v, ["logs", "two", "-c", "b"])).toBe("from b\n");
      const lines = (await ok(v, ["logs", "ticker", "--tail=2", "--timestamps"])).trim().split("\n");
      expect(lines).toHaveLength(2);
      for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
      expect(await ok(v, ["logs", "two", "-c", "a", "--limit-bytes=4"])).toBe("from");
      expect((await ok(v, ["logs", "two", "--all-containers"])).split("\n").filter(Boolean).sort()).toEqual(["from a", "from b"]);
      expect((await ok(v, ["logs", "-l", "app=two", "--all-containers", "--prefix"])).split("\n").filter(Boolean).sort()).toEqual(["[pod/two/a] from a", "[pod/two/b] from b"]);
    }
  }, 60_000);

  test("logs: upstream's errors (container to choose, no previous instance, container not started)", async () => {
    // kubectl picks the first container itself; the API asks for one.
    const many = await api.request(`/api/v1/namespaces/default/pods/two/log`);
    expect(many.status).toBe(400);
    expect(many.json<{ message: string }>().message).toBe("a container name must be specified for pod two, choose one of: [a b]");
    const previous = await api.request(`/api/v1/namespaces/default/pods/shell/log?previous=true`);
    expect(previous.status).toBe(400);
    expect(previous.json<{ message: string }>().message).toBe('previous terminated container "main" in pod "shell" not found');
    const elsewhere = pod("elsewhere", [{ name: "c", command: ["true"] }]);
    await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ ...elsewhere, spec: { ...elsewhere.spec, nodeName: "no-such-node" } }) });
    const waiting = await kubectl(32, ["logs", "elsewhere"]);
    expect(waiting.stderr).toContain('container "c" in pod "elsewhere" is waiting to start: ContainerCreating');
    const bad = await api.request(`/api/v1/namespaces/default/pods/shell/log?tailLines=-1`);
    expect(bad.status).toBe(422);
    expect(bad.json<{ message: string }>().message).toBe('PodLogOptions "shell" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    await s.k("delete", "pod", "elsewhere", "--wait=false");
    const unscheduled = pod("unscheduled", [{ name: "c", command: ["true"] }]);
    await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ ...unscheduled, spec: { ...unscheduled.spec, nodeName: undefined, schedulerName: "nobody-schedules-this" } }) });
    expect((await api.request(`/api/v1/namespaces/default/pods/unscheduled/log`)).status).toBe(204);
    expect(await ok(32, ["logs", "unscheduled"])).toBe("");
    await s.k("delete", "pod", "unscheduled", "--wait=false");
  }, 30_000);

  for (const v of VERSIONS) {
    test(`kubectl 1.${v} logs -f follows new lines, and ends when the container exits`, async () => {
      // Lines written after the follow started must arrive: two past the last one logged so far.
      const last = Math.max(...[...(await ok(v, ["logs", "ticker"])).matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
      const follow = background(v, ["logs", "-f", "ticker"]);
      await follow.waitFor(new RegExp(`tick ${last + 2}\\n`));
      await follow.stop();
      const done = await kubectl(v, ["logs", "-f", "counted"], { timeoutMs: 30_000 });
      expect(done.code).toBe(0);
      expect(done.stdout).toBe("n1\nn2\nn3\n");
    }, 60_000);

    test(`kubectl 1.${v} exec: stdin fed non-interactively, stdout and stderr apart, exit codes`, async () => {
      const r = await kubectl(v, ["exec", "-i", "shell", "--", "sh", "-c", "cat; echo to-stderr >&2; exit 3"], { stdin: "line one\nline two\n" });
      expect(r.stdout).toBe("line one\nline two\n");
      expect(r.stderr).toContain("to-stderr\n");
      expect(r.stderr).toContain("command terminated with exit code 3");
      expect(r.code).toBe(3);
      expect(await ok(v, ["exec", "shell", "--", "sh", "-c", "echo $((6*7))"])).toBe("42\n");
      const big = "x".repeat(300_000);
      expect((await ok(v, ["exec", "-i", "shell", "--", "wc", "-c"], big)).trim()).toBe("300000");
    }, 60_000);

    test.skipIf(!Bun.which("script"))(`kubectl 1.${v} exec -it: a TTY of the client's size, input and the exit code`, async () => {
      // script(1) gives kubectl a terminal (91x27); the remote shell reads its input after the resize.
      const cmd = `stty cols 91 rows 27; ${kubectlPath(v)} --kubeconfig ${s.kubeconfig} exec -it shell -- sh`;
      const child = Bun.spawn(["script", "-qec", cmd, "/dev/null"], { stdin: new Blob(["stty size; tty; exit 7\n"]), stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.dataDir, TERM: "xterm" } });
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      clearTimeout(killer);
      expect(out).toContain("\r\n27 91\r\n/dev/pts/0\r\n");
      expect(out).toContain("command terminated with exit code 7");
      expect(code).toBe(7);
    }, 60_000);

    test(`kubectl 1.${v} cp copies into the pod and out of it`, async () => {
      const up = join(scratch, `up-${v}.txt`);
      writeFileSync(up, `uploaded by kubectl 1.${v}\n`);
      await ok(v, ["cp", up, `shell:/data/up-${v}.txt`]);
      expect(await ok(v, ["exec", "shell", "--", "cat", `/data/up-${v}.txt`])).toBe(`uploaded by kubectl 1.${v}\n`);
      const down = join(scratch, `down-${v}.txt`);
      await ok(v, ["cp", "shell:/data/f.txt", down]);
      expect(readFileSync(down, "utf8")).toBe("in the pod\n");
    }, 60_000);

    test(`kubectl 1.${v} port-forward reaches busybox httpd in the pod`, async () => {
      const pf = background(v, ["port-forward", "pod/web", ":8080"]);
      try {
        const port = Number((await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/))[1]);
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/index.html`);
          expect(res.status).toBe(200);
          expect(await res.text()).toBe("hello from httpd\n");
        }
      } finally {
        await pf.stop();
      }
    }, 60_000);

    test(`kubectl 1.${v} attach sends stdin to the container and shows its output`, async () => {
      const name = `attached-${v}`;
      const spec = pod(name, [{ name: "reader", stdin: true, stdinOnce: true, command: ["sh", "-c", "while read line; do echo got: $line; done; echo stdin closed"] }], { restartPolicy: "Never" });
      await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(spec) });
      await s.k("wait", "--for=condition=Ready", `pod/${name}`, "--timeout=60s");
      const r = await kubectl(v, ["attach", "-i", name], { stdin: "hello\nworld\n" });
      expect(r.stdout).toContain("got: hello\ngot: world\nstdin closed\n");
      expect(r.code).toBe(0);
    }, 60_000);
  }

  test("kubectl debug adds an ephemeral container to a running pod and attaches to it", async () => {
    const r = await kubectl(32, ["debug", "shell", "-i", `--image=${TEST_IMAGE}`, "--image-pull-policy=Never", "--target=main", "--container=dbg", "--", "sh", "-c", "read x; echo debugger got $x; ls /proc/1/root/data"], {
      stdin: "ping\n",
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Targeting container "main"');
    const spec = JSON.parse(await s.k("get", "pod", "shell", "-o", "jsonpath={.spec.ephemeralContainers}")) as Array<{ name: string; targetContainerName: string }>;
    expect(spec.map((c) => [c.name, c.targetContainerName])).toEqual([["dbg", "main"]]);
    // Closing stdin of a container without stdinOnce ends the attachment at once (Docker and
    // containerd alike), so what the debugger printed after reading is checked in its log.
    // It read the line sent through the attachment, and sees the target's files through the
    // shared process namespace.
    const deadline = Date.now() + 30_000;
    let log = "";
    while (Date.now() < deadline && !log.includes("f.txt")) {
      log = (await kubectl(32, ["logs", "shell", "-c", "dbg"])).stdout;
      await Bun.sleep(200);
    }
    expect(log).toStartWith("debugger got ping\n");
    expect(log.split("\n")).toContain("f.txt");
    const added = await api.request(`/api/v1/namespaces/default/pods/shell/ephemeralcontainers`, { method: "PATCH", headers: { "Content-Type": "application/json-patch+json" }, body: [{ op: "remove", path: "/spec/ephemeralContainers/0" }] });
    expect(added.status).toBe(422);
    expect(added.json<{ message: string }>().message).toContain('existing ephemeral containers \"dbg\" may not be removed');
  }, 90_000);

  test("port-forward to a port nobody listens on reports the agent's dial error", async () => {
    const pf = background(32, ["port-forward", "pod/web", ":9"]);
    try {
      const port = Number((await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/))[1]);
      await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      for (let i = 0; i < 300 && !pf.err().includes("connection refused"); i++) await Bun.sleep(50);
      expect(pf.err()).toMatch(/error forwarding port 9 to pod web, uid [0-9a-f-]+: dial tcp [\d.]+:9: connect: connection refused/);
    } finally {
      await pf.stop();
    }
  }, 60_000);

  test("logs --previous shows the run before a restart", async () => {
    const deadline = Date.now() + 60_000;
    let restarts = 0;
    while (Date.now() < deadline && restarts < 1) {
      restarts = Number(await s.k("get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0].restartCount}")) || 0;
      if (restarts < 1) await Bun.sleep(250);
    }
    expect(restarts).toBeGreaterThanOrEqual(1);
    for (const v of VERSIONS) {
      const previous = await ok(v, ["logs", "crasher", "--previous"]);
      expect(previous).toMatch(/^run at \d+\n$/);
    }
  }, 90_000);

  test("client-node's Exec (WebSocket channels) and PortForward (the older channel protocol) work too", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const out = new PassThrough();
    const err = new PassThrough();
    const input = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (d: Buffer) => (stdout += d));
    err.on("data", (d: Buffer) => (stderr += d));
    const status = Promise.withResolvers<{ status?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } }>();
    await new Exec(kc).exec("default", "shell", "main", ["sh", "-c", "cat; echo oops >&2; exit 2"], out, err, input, false, (st) => status.resolve(st));
    input.end("fed through client-node\n");
    const st = await status.promise;
    expect(st.status).toBe("Failure");
    expect(st.details?.causes).toEqual([{ reason: "ExitCode", message: "2" }]);
    expect(stdout).toBe("fed through client-node\n");
    expect(stderr).toBe("oops\n");

    const forward = new PortForward(kc);
    const local = createServer((sock) => void forward.portForward("default", "web", [8080], sock, null, sock));
    await new Promise<void>((r) => local.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(local.address() as { port: number }).port}/index.html`);
      expect(await res.text()).toBe("hello from httpd\n");
    } finally {
      local.close();
    }
  }, 60_000);

  test("exec over the older WebSocket protocols: v4 binary with a Status, channel.k8s.io base64 with text", async () => {
    const kc = readKubeconfig(s.kubeconfig);
    const run = async (protocol: string) => {
      const socket = tlsConnect({ host: "127.0.0.1", port: s.port, ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem });
      await new Promise<void>((r) => socket.once("secureConnect", () => r()));
      const path = `/api/v1/namespaces/default/pods/shell/exec?${new URLSearchParams([["command", "sh"], ["command", "-c"], ["command", "echo hi; echo ho >&2; exit 3"], ["stdout", "true"], ["stderr", "true"]])}`;
      const { ws, protocol: chosen } = await connectWebSocket(socket, { host: `127.0.0.1:${s.port}`, path, protocols: [protocol] });
      const channels: Record<number, string> = {};
      const closed = new Promise<number>((resolve) => (ws.onClose = (code) => resolve(code)));
      ws.onMessage = (data, binary) => {
        const channel = binary ? data[0]! : data[0]! - 48;
        const payload = binary ? data.subarray(1).toString() : Buffer.from(data.subarray(1).toString(), "base64").toString();
        channels[channel] = (channels[channel] ?? "") + payload;
      };
      return { chosen, code: await closed, channels };
    };
    const v4 = await run("v4.channel.k8s.io");
    expect(v4.chosen).toBe("v4.channel.k8s.io");
    expect(v4.code).toBe(1000);
    expect(v4.channels[1]).toBe("hi\n");
    expect(v4.channels[2]).toBe("ho\n");
    expect(JSON.parse(v4.channels[3]!)).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } });
    const b64 = await run("base64.channel.k8s.io");
    expect(b64.chosen).toBe("base64.channel.k8s.io");
    expect(b64.channels[1]).toBe("hi\n");
    expect(b64.channels[3]).toStartWith("command terminated with non-zero exit code");
  });

  test("exec, attach and port-forward are audited as upstream does: RequestReceived, ResponseStarted with the 101, ResponseComplete when the stream ends; logs (followed or not) and refusals have both stages too; a failed authentication one ResponseStarted", async () => {
    // Earlier tests ran each of them with both kubectl versions; the log is written in batches.
    const stages = (sub: string) => {
      const byId = new Map<string, string[]>();
      for (const e of auditLines().filter((l) => l.objectRef?.subresource === sub)) byId.set(e.auditID, [...(byId.get(e.auditID) ?? []), `${e.stage} ${e.responseStatus?.code ?? ""}`.trim()]);
      return [...byId.values()];
    };
    const switched = ["RequestReceived", "ResponseStarted 101", "ResponseComplete 101"];
    const settled = () => ["exec", "attach", "portforward"].every((sub) => stages(sub).some((s) => s.length === 3)) && stages("log").every((s) => s.length === 3);
    for (let tries = 0; tries < 100 && !settled(); tries++) await Bun.sleep(100);
    for (const sub of ["exec", "attach", "portforward"]) expect({ sub, seen: stages(sub) }).toEqual({ sub, seen: expect.arrayContaining([switched]) });
    // Logs are long-running for upstream whether followed or not (and so are their refusals, like --previous without one).
    const logStages = stages("log").map((seen) => seen.join(", "));
    expect(logStages).toContain("RequestReceived, ResponseStarted 200, ResponseComplete 200");
    for (const seen of logStages) expect(seen).toMatch(/^RequestReceived, ResponseStarted (\d+), ResponseComplete \1$/);
    expect(auditLines().some((l) => l.objectRef?.subresource === "log" && l.stage === "ResponseStarted" && !l.requestURI.includes("follow=true"))).toBe(true);
    const exec = auditLines().find((l) => l.objectRef?.subresource === "exec" && l.stage === "ResponseStarted")!;
    expect(exec.requestURI).toContain("/exec?");
    expect(["create", "get"]).toContain(exec.verb);
    // A refused upgrade (kubectl would stop at its GET of the pod first) has both stages with its status, as upstream's.
    const kc = readKubeconfig(s.kubeconfig);
    const socket = tlsConnect({ host: "127.0.0.1", port: s.port, ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem });
    await new Promise<void>((r) => socket.once("secureConnect", () => r()));
    const path = "/api/v1/namespaces/default/pods/no-such-pod/exec?command=true&stdout=true";
    const refused = await connectWebSocket(socket, { host: `127.0.0.1:${s.port}`, path, protocols: ["v5.channel.k8s.io"] }).catch((e: unknown) => e);
    expect((refused as UpgradeRefusedError).status).toBe(404);
    for (let tries = 0; tries < 100 && !auditLines().some((l) => l.objectRef?.name === "no-such-pod" && l.stage === "ResponseComplete"); tries++) await Bun.sleep(100);
    expect(auditLines().filter((l) => l.objectRef?.name === "no-such-pod").map((l) => `${l.stage} ${l.responseStatus?.code ?? ""}`.trim())).toEqual(["RequestReceived", "ResponseStarted 404", "ResponseComplete 404"]);
    // Without credentials: upstream's failed-authentication audit, one ResponseStarted with the 401 and no user.
    const anonymous = tlsConnect({ host: "127.0.0.1", port: s.port, ca: kc.caPem });
    await new Promise<void>((r) => anonymous.once("secureConnect", () => r()));
    const anonPath = "/api/v1/namespaces/default/pods/nobodys-pod/exec?command=true&stdout=true";
    expect(((await connectWebSocket(anonymous, { host: `127.0.0.1:${s.port}`, path: anonPath, protocols: ["v5.channel.k8s.io"] }).catch((e: unknown) => e)) as UpgradeRefusedError).status).toBe(401);
    for (let tries = 0; tries < 100 && !auditLines().some((l) => l.objectRef?.name === "nobodys-pod"); tries++) await Bun.sleep(100);
    expect(auditLines().filter((l) => l.objectRef?.name === "nobodys-pod").map((l) => `${l.stage} ${l.responseStatus?.code ?? ""} ${JSON.stringify(l.user)}`)).toEqual(["ResponseStarted 401 {}"]);
  }, 30_000);

  test("only nodes may open an agent tunnel", async () => {
    const kc = readKubeconfig(s.kubeconfig);
    const socket = tlsConnect({ host: "127.0.0.1", port: s.port, ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem });
    await new Promise<void>((r) => socket.once("secureConnect", () => r()));
    const refused = await connectWebSocket(socket, { host: `127.0.0.1:${s.port}`, path: TUNNEL_PATH }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).status).toBe(403);
    expect((refused as UpgradeRefusedError).body).toContain('User \\"system:admin\\" cannot open an agent tunnel');
  });
});
