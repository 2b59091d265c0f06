/**
 * Pod-to-pod throughput across nodes on the e2e cluster, next to the same transfer between two
 * plain containers on the cluster's Docker network ("host to host": the nodes' own network) and
 * between two pods on one node.
 *
 *   bun scripts/bench/pod-network.ts --cluster <kubeconfig>   (scripts/e2e-cluster up prints it)
 *       [--mib 256] [--runs 3]
 *
 * Each run pipes --mib MiB of zeros through busybox nc (one TCP stream), timed on the sending
 * side with busybox `time`; bounded by a 120 s timeout. The best of --runs is
 * printed. Everything made is removed at the end (namespace, labelled containers).
 */
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
const MIB = Number(value("--mib", "256"));
const RUNS = Number(value("--runs", "3"));
const NS = "net-bench";
const PORT = 5001;

if (!KUBECONFIG) {
  console.error("usage: bun scripts/bench/pod-network.ts --cluster <kubeconfig of scripts/e2e-cluster up> [--mib 256] [--runs 3]");
  process.exit(2);
}

async function k(argv: string[], stdin?: string): Promise<string> {
  const p = Bun.spawn([kubectlPath(), "--kubeconfig", KUBECONFIG, ...argv], { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`kubectl ${argv.join(" ")}: ${err}${out}`);
  return out;
}

/** The sender's script: MIB MiB of zeros through nc, timed; prints busybox time's "real" line. */
const sendScript = (host: string) =>
  `timeout 120 sh -c 'time -p sh -c "head -c ${MIB * 1048576} /dev/zero | nc -w 3 ${host} ${PORT}"' 2>&1 | grep real`;
/** A persistent receiver (nc -ll) that discards what each connection sends. */
const receiveScript = `printf '#!/bin/sh\\ncat > /dev/null\\n' > /tmp/sink && chmod +x /tmp/sink && exec nc -ll -p ${PORT} -e /tmp/sink`;

function seconds(realLine: string): number {
  // busybox time -p: "real 1.23"
  const m = /real\s+([\d.]+)/.exec(realLine);
  if (!m || Number(m[1]) <= 0) throw new Error(`cannot read the time from: ${realLine}`);
  return Number(m[1]);
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

async function pods(state: ClusterState): Promise<string[]> {
  const pod = (name: string, node: string, script: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", script] }] },
  });
  const [a1, a2] = state.agents;
  await k(["create", "namespace", NS]);
  await k(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod("recv", a2!.nodeName, receiveScript), pod("send", a1!.nodeName, "sleep 36000"), pod("send-local", a2!.nodeName, "sleep 36000")] }));
  await k(["-n", NS, "wait", "--for=condition=Ready", "pod/recv", "pod/send", "pod/send-local", "--timeout=120s"]);
  const recvIP = (await k(["-n", NS, "get", "pod", "recv", "-o", "jsonpath={.status.podIP}"])).trim();
  const timed = (from: string) => async () => seconds(await k(["-n", NS, "exec", from, "--", "sh", "-c", sendScript(recvIP)]));
  return [await best(`pod to pod across nodes (${a1!.nodeName} -> ${a2!.nodeName})`, timed("send")), await best(`pod to pod on one node (${a2!.nodeName})`, timed("send-local"))];
}

/** Two plain containers on the cluster's Docker network: the nodes' own network path. */
async function hosts(state: ClusterState): Promise<string> {
  await ensureTestImage();
  const prefix = state.subnet.split(".").slice(0, 3).join(".");
  const name = (r: string) => `kts-bench-${RUN_ID}-${r}`;
  const start = (role: string, ip: string, script: string) =>
    run(["docker", "run", "-d", "--name", name(role), "--label", `${TEST_LABEL}=${RUN_ID}`, "--network", state.network, "--ip", ip, TEST_IMAGE, "sh", "-c", script]);
  try {
    await start("recv", `${prefix}.250`, receiveScript);
    await start("send", `${prefix}.251`, "sleep 36000");
    return await best("container to container on the nodes' network (host to host)", async () => seconds((await run(["docker", "exec", name("send"), "sh", "-c", sendScript(`${prefix}.250`)], { timeoutMs: 150_000 })).stdout));
  } finally {
    await run(["docker", "rm", "-f", name("recv"), name("send")]);
  }
}

const id = /e2e-cluster\/([^/]+)\/kubeconfig/.exec(KUBECONFIG)?.[1];
if (!id) throw new Error(`${KUBECONFIG} is not a kubeconfig written by scripts/e2e-cluster`);
const state = loadState(id);
try {
  step(`${MIB} MiB per run, ${RUNS} runs each`);
  const lines = [...(await pods(state)), await hosts(state)];
  console.log(`Throughput, one TCP stream through busybox nc, on the e2e cluster ${id}:`);
  for (const l of lines) console.log(`  ${l}`);
} finally {
  await k(["delete", "namespace", NS, "--wait=false"]).catch(() => undefined);
}
