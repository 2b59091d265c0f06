/**
 * The in-cluster half of scripts/bench/dns.ts: on an e2e cluster (scripts/e2e-cluster up), many
 * Services, then the load generator (dns-load.ts, from a ConfigMap) in a pod of the kts image
 * (`BUN_BE_BUN=1 kts run`) on a node other than the cluster DNS pod's, asking the kube-dns
 * ClusterIP. Removes its namespace at the end.
 */
import { step } from "./lib.ts";
import { kubectlPath } from "../../src/testing/kubectl.ts";

/** What dns-load.ts prints (one JSON line) for a run. */
export interface LoadResult {
  sent: number;
  answered: number;
  lost: number;
  errors: number;
  qps: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

export interface ClusterBenchOptions {
  kubeconfig: string;
  services: number;
  seconds: string;
  rate: string;
  window: string;
  names(count: number): string;
  loadScript: string;
}

const NS = "dns-bench";

async function k(kubeconfig: string, args: string[], stdin?: string, timeoutMs = 300_000): Promise<string> {
  const p = Bun.spawn([kubectlPath(), "--kubeconfig", kubeconfig, ...args], { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(killer);
  if (code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${err}${out}`);
  return out;
}

export async function clusterDnsBench(o: ClusterBenchOptions): Promise<{ closed: LoadResult; open: LoadResult }> {
  const kc = o.kubeconfig;
  const dnsNode = (await k(kc, ["-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-dns", "-o", "jsonpath={.items[0].spec.nodeName}"])).trim();
  const image = (await k(kc, ["-n", "kube-system", "get", "deploy", "coredns", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).trim();
  const nodes = (await k(kc, ["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"])).trim().split(" ");
  const benchNode = nodes.find((n) => n !== dnsNode) ?? dnsNode;
  step(`cluster DNS on ${dnsNode}; load generator on ${benchNode}`);
  await k(kc, ["create", "namespace", NS]);
  try {
    step(`creating ${o.services} Services`);
    const items = Array.from({ length: o.services }, (_, i) => ({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace: NS }, spec: { ports: [{ name: "http", port: 80 }] } }));
    await k(kc, ["apply", "--server-side", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    await k(kc, ["-n", NS, "create", "configmap", "load", `--from-file=dns-load.ts=${o.loadScript}`]);
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "load", namespace: NS },
      spec: {
        nodeName: benchNode,
        terminationGracePeriodSeconds: 0,
        volumes: [{ name: "load", configMap: { name: "load" } }],
        containers: [
          {
            name: "load",
            image,
            imagePullPolicy: "Never",
            env: [{ name: "BUN_BE_BUN", value: "1" }],
            // The kts executable as Bun: idle until the benchmark runs in it through exec.
            command: ["/bin/kts", "-e", "setInterval(() => {}, 1 << 30)"],
            volumeMounts: [{ name: "load", mountPath: "/bench" }],
          },
        ],
      },
    };
    await k(kc, ["apply", "-f", "-"], JSON.stringify(pod));
    await k(kc, ["-n", NS, "wait", "--for=condition=Ready", "pod/load", "--timeout=120s"]);
    const names = o.names(o.services).replaceAll("bench.svc", `${NS}.svc`);
    const run = async (mode: string[], seconds = o.seconds): Promise<LoadResult> => {
      const out = await k(kc, ["-n", NS, "exec", "load", "--", "/bin/kts", "run", "/bench/dns-load.ts", "--server", "10.43.0.10:53", "--names", names, "--seconds", seconds, ...mode]);
      return JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult;
    };
    step("warm-up");
    await run(["--window", "8"], "1");
    step(`closed loop, ${o.window} outstanding, ${o.seconds} s`);
    const closed = await run(["--window", o.window]);
    step(`open loop at ${o.rate} queries/s, ${o.seconds} s`);
    const open = await run(["--rate", o.rate]);
    return { closed, open };
  } finally {
    await k(kc, ["delete", "namespace", NS, "--wait=false"]).catch(() => undefined);
  }
}
