/**
 * Pod-to-pod throughput across nodes on the e2e cluster, next to the same transfer between two
 * plain containers on the cluster's Docker network ("host to host": the nodes' own network) and
 * between two pods on one node.
 *
 *   bun scripts/bench/pod-network.ts --cluster <kubeconfig>   (scripts/e2e-cluster up prints it)
 *       [--tool bun|nc] [--mib 2048 (nc: 256)] [--runs 3]
 *
 * One TCP stream of --mib MiB per run. `--tool bun` (default): scripts/bench/tcp-stream.ts run by
 * the kts executable as Bun (the kts image in pods, the node image for the containers), timed from
 * connect to the receiver's acknowledgement. `--tool nc`: zeros piped through busybox nc, timed
 * with busybox `time` (nc itself is the bottleneck there). Bounded (120 s per run). The best of
 * --runs is printed. Everything made is removed at the end (namespace, labelled containers).
 */
import { join } from "node:path";
import { step } from "./lib.ts";
import { kubectlPath } from "../../src/testing/kubectl.ts";
import { RUN_ID, TEST_IMAGE, TEST_LABEL, ensureTestImage } from "../../src/testing/docker.ts";
import { loadState, run, type ClusterState } from "../../src/testing/e2e-cluster.ts";

const args = process.argv.slice(2);
const value = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const KUBECONFIG = value("--cluster", "");
const TOOL = value("--tool", "bun");
const MIB = Number(value("--mib", TOOL === "nc" ? "256" : "2048"));
const RUNS = Number(value("--runs", "3"));
const NS = "net-bench";
const PORT = 5001;
const STREAM = join(import.meta.dir, "tcp-stream.ts");

if (!KUBECONFIG || (TOOL !== "bun" && TOOL !== "nc")) {
  console.error("usage: bun scripts/bench/pod-network.ts --cluster <kubeconfig of scripts/e2e-cluster up> [--tool bun|nc] [--mib 256] [--runs 3]");
  process.exit(2);
}

async function k(argv: string[], stdin?: string): Promise<string> {
  const p = Bun.spawn([kubectlPath(), "--kubeconfig", KUBECONFIG, ...argv], { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`kubectl ${argv.join(" ")}: ${err}${out}`);
  return out;
}

/** How each tool receives, sends (printing something `seconds` reads) and idles. */
interface Tool {
  image: string;
  receive: string[];
  send(host: string): string[];
  idle: string[];
  env: Array<{ name: string; value: string }>;
  seconds(output: string): number;
}

function ncTool(): Tool {
  return {
    image: TEST_IMAGE,
    // A persistent receiver (nc -ll) that discards what each connection sends.
    receive: ["sh", "-c", `printf '#!/bin/sh\\ncat > /dev/null\\n' > /tmp/sink && chmod +x /tmp/sink && exec nc -ll -p ${PORT} -e /tmp/sink`],
    send: (host) => ["sh", "-c", `timeout 120 sh -c 'time -p sh -c "head -c ${MIB * 1048576} /dev/zero | nc -w 3 ${host} ${PORT}"' 2>&1 | grep real`],
    idle: ["sleep", "36000"],
    env: [],
    seconds(out) {
      const m = /real\s+([\d.]+)/.exec(out);
      if (!m || Number(m[1]) <= 0) throw new Error(`cannot read the time from: ${out}`);
      return Number(m[1]);
    },
  };
}

function bunTool(kts: string, image: string, script: string): Tool {
  return {
    image,
    receive: [kts, "run", script, "recv", "--port", String(PORT)],
    send: (host) => [kts, "run", script, "send", "--host", host, "--port", String(PORT), "--mib", String(MIB)],
    idle: [kts, "-e", "setInterval(() => {}, 1 << 30)"],
    env: [{ name: "BUN_BE_BUN", value: "1" }],
    seconds: (out) => (JSON.parse(out.trim().split("\n").at(-1)!) as { seconds: number }).seconds,
  };
}

function gbits(secs: number): number {
  return (MIB * 1048576 * 8) / secs / 1e9;
}

async function best(label: string, once: () => Promise<number>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(await once());
    step(`${label}: run ${i + 1}: ${gbits(times.at(-1)!).toFixed(2)} Gbit/s`);
  }
  const t = Math.min(...times);
  return `${label}: ${gbits(t).toFixed(2)} Gbit/s (best of ${RUNS}, ${MIB} MiB in ${t.toFixed(2)} s)`;
}

async function pods(state: ClusterState, tool: Tool): Promise<string[]> {
  const pod = (name: string, node: string, command: string[]) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: "bench", configMap: { name: "bench" } }],
      containers: [{ name: "c", image: tool.image, imagePullPolicy: "Never", command, env: tool.env, volumeMounts: [{ name: "bench", mountPath: "/bench" }] }],
    },
  });
  const [a1, a2] = state.agents;
  await k(["create", "namespace", NS]);
  await k(["-n", NS, "create", "configmap", "bench", `--from-file=tcp-stream.ts=${STREAM}`]);
  await k(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod("recv", a2!.nodeName, tool.receive), pod("send", a1!.nodeName, tool.idle), pod("send-local", a2!.nodeName, tool.idle)] }));
  await k(["-n", NS, "wait", "--for=condition=Ready", "pod/recv", "pod/send", "pod/send-local", "--timeout=120s"]);
  const recvIP = (await k(["-n", NS, "get", "pod", "recv", "-o", "jsonpath={.status.podIP}"])).trim();
  const timed = (from: string) => async () => tool.seconds(await k(["-n", NS, "exec", from, "--", ...tool.send(recvIP)]));
  return [await best(`pod to pod across nodes (${a1!.nodeName} -> ${a2!.nodeName})`, timed("send")), await best(`pod to pod on one node (${a2!.nodeName})`, timed("send-local"))];
}

/** Two plain containers on the cluster's Docker network: the nodes' own network path. */
async function hosts(state: ClusterState, tool: Tool): Promise<string> {
  const prefix = state.subnet.split(".").slice(0, 3).join(".");
  const name = (r: string) => `kts-bench-${RUN_ID}-${r}`;
  const start = (role: string, ip: string, command: string[]) =>
    run([
      "docker", "run", "-d", "--name", name(role), "--label", `${TEST_LABEL}=${RUN_ID}`, "--network", state.network, "--ip", ip,
      "-v", `${STREAM}:/bench/tcp-stream.ts:ro`, ...tool.env.flatMap((e) => ["-e", `${e.name}=${e.value}`]),
      "--entrypoint", command[0]!, tool.image, ...command.slice(1),
    ]);
  try {
    await start("recv", `${prefix}.250`, tool.receive);
    await start("send", `${prefix}.251`, tool.idle);
    await Bun.sleep(1000);
    return await best("container to container on the nodes' network (host to host)", async () => tool.seconds((await run(["docker", "exec", name("send"), ...tool.send(`${prefix}.250`)], { timeoutMs: 150_000 })).stdout));
  } finally {
    await run(["docker", "rm", "-f", name("recv"), name("send")]);
  }
}

const id = /e2e-cluster\/([^/]+)\/kubeconfig/.exec(KUBECONFIG)?.[1];
if (!id) throw new Error(`${KUBECONFIG} is not a kubeconfig written by scripts/e2e-cluster`);
const state = loadState(id);
await ensureTestImage();
const ktsImage = (await k(["-n", "kube-system", "get", "deploy", "coredns", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).trim();
// In pods the kts image (/bin/kts); on the nodes' network the node image (/usr/local/bin/kts).
const podTool = TOOL === "nc" ? ncTool() : bunTool("/bin/kts", ktsImage, "/bench/tcp-stream.ts");
const hostTool = TOOL === "nc" ? ncTool() : bunTool("/usr/local/bin/kts", state.image, "/bench/tcp-stream.ts");
try {
  step(`${MIB} MiB per run, ${RUNS} runs each, ${TOOL === "nc" ? "busybox nc" : "Bun (tcp-stream.ts)"}`);
  const lines = [...(await pods(state, podTool)), await hosts(state, hostTool)];
  console.log(`Throughput of one TCP stream (${TOOL === "nc" ? "busybox nc" : "Bun"}) on the e2e cluster ${id}:`);
  for (const l of lines) console.log(`  ${l}`);
} finally {
  await k(["delete", "namespace", NS, "--wait=false"]).catch(() => undefined);
}
