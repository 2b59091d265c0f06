/**
 * The pod sandbox: a pause container holding the pod's network, IPC and UTS namespaces (or the
 * host's network for hostNetwork pods), carrying the pod's hostname, DNS settings and namespaced
 * sysctls. On kts's pod network the pause runs without Docker networking and the network wires it
 * once it runs (an address, labelled on the sandbox, a veth, hostPorts as DNAT rules); without one
 * (`--flannel-backend none`, tests) it is on Docker's default bridge and Docker publishes the
 * hostPorts. Also the kubelet-managed /etc/hosts the app containers mount.
 */
import type Docker from "dockerode";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../runtime/index.ts";
import { LABEL_GRACE, LABEL_HOST_PORTS, LABEL_POD_IP, SANDBOX_NAME, containerLabels, dockerName } from "../runtime/index.ts";
import type { HostPortMapping, SandboxPlan } from "../network/index.ts";
import { podDir, type AgentContext } from "./context.ts";
import { podRef } from "./pod-info.ts";

/** Hostname and domain of a pod (upstream GeneratePodHostNameAndDomain). */
export function hostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || "";
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, "");
  const sub = pod.spec?.subdomain;
  return { hostname, domain: sub ? `${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}` : "" };
}

interface Resolv {
  nameservers: string[];
  searches: string[];
  options: string[];
}

function hostResolv(): Resolv {
  const r: Resolv = { nameservers: [], searches: [], options: [] };
  try {
    for (const line of readFileSync("/etc/resolv.conf", "utf8").split("\n")) {
      const [key, ...rest] = line.trim().split(/\s+/);
      if (key === "nameserver" && rest[0]) r.nameservers.push(rest[0]);
      else if (key === "search") r.searches = rest;
      else if (key === "options") r.options.push(...rest);
    }
  } catch {
    // no resolver configuration on the node
  }
  return r;
}

/**
 * The pod's DNS settings for its dnsPolicy and dnsConfig: ClusterFirst (and ClusterFirstWithHostNet
 * for host-network pods) use the cluster DNS with the namespace's search path and ndots:5; Default
 * (and ClusterFirst without a cluster DNS, or on the host network) the node's resolver; None only
 * what dnsConfig says. Always explicit: Docker's own default would put public resolvers in the pod.
 */
export function dnsFor(pod: Pod, ctx: Pick<AgentContext, "dns">): Resolv {
  const spec = pod.spec ?? { containers: [] };
  const policy = spec.dnsPolicy ?? "ClusterFirst";
  const cfg = spec.dnsConfig;
  const cfgOptions = (cfg?.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? "")));
  let base: Resolv;
  const cluster = ctx.dns.clusterDNS.length > 0 && (policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !spec.hostNetwork));
  if (policy === "None") base = { nameservers: [], searches: [], options: [] };
  else if (cluster) {
    const d = ctx.dns.clusterDomain;
    const host = hostResolv();
    base = { nameservers: ctx.dns.clusterDNS, searches: [`${pod.metadata?.namespace}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ["ndots:5"] };
  } else base = hostResolv();
  const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  const options = new Map<string, string>();
  for (const o of [...base.options, ...cfgOptions]) options.set(o.split(":")[0]!, o);
  return {
    nameservers: merge(base.nameservers, cfg?.nameservers ?? []).slice(0, 3),
    searches: merge(base.searches, cfg?.searches ?? []).slice(0, 32),
    options: [...options.values()],
  };
}

/** The hostPorts of all the pod's containers. */
function hostPorts(pod: Pod): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol ?? "TCP", ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return out;
}

/** hostPort bindings for Docker to publish (sandboxes on a Docker network). */
function portBindings(ports: HostPortMapping[]): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp?: string; HostPort: string }>> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp?: string; HostPort: string }>> = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIP || undefined, HostPort: String(p.hostPort) });
  }
  return { exposed, bindings };
}

export async function createSandbox(ctx: AgentContext, pod: Pod, attempt: number): Promise<string> {
  const spec = pod.spec!;
  const ref = podRef(pod);
  const host = spec.hostNetwork === true;
  const { hostname, domain } = hostnameAndDomain(pod, ctx.dns.clusterDomain);
  const dns = host ? undefined : dnsFor(pod, ctx);
  const ports = hostPorts(pod);
  // The pod network's plan (throws while it is not ready: the pod waits); it may allocate an address.
  const plan: SandboxPlan = host ? { networkMode: "host" } : ctx.network ? await ctx.network.plan() : { networkMode: "bridge" };
  const ip = plan.ip;
  const { exposed, bindings } = ip === undefined && !host ? portBindings(ports) : { exposed: {}, bindings: {} };
  const own: Record<string, string> = ip === undefined ? {} : { [LABEL_POD_IP]: ip, ...(ports.length ? { [LABEL_HOST_PORTS]: JSON.stringify(ports) } : {}) };
  const sysctls = Object.fromEntries((spec.securityContext?.sysctls ?? []).map((s) => [s.name, s.value]));
  const opts: Docker.ContainerCreateOptions = {
    name: dockerName(ref, SANDBOX_NAME, attempt),
    Image: ctx.pauseImage,
    Hostname: host ? undefined : hostname,
    Domainname: host || !domain ? undefined : domain,
    Labels: containerLabels(ref, ctx.nodeName, SANDBOX_NAME, attempt, ctx.labels, { [LABEL_GRACE]: String(spec.terminationGracePeriodSeconds ?? 30), ...own }),
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    // kts wires the sandbox itself: Docker makes an empty network namespace and nothing else.
    NetworkDisabled: ip !== undefined ? true : undefined,
    HostConfig: {
      NetworkMode: plan.networkMode,
      IpcMode: spec.hostIPC ? "host" : "shareable",
      PidMode: spec.hostPID ? "host" : undefined,
      PortBindings: Object.keys(bindings).length ? bindings : undefined,
      Dns: dns?.nameservers.length ? dns.nameservers : undefined,
      DnsSearch: dns?.searches.length ? dns.searches : undefined,
      DnsOptions: dns?.options.length ? dns.options : undefined,
      Sysctls: Object.keys(sysctls).length ? sysctls : undefined,
      OomScoreAdj: ctx.negativeOom ? -998 : undefined,
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: {} },
    },
  };
  let id: string;
  try {
    id = await ctx.runtime.create(opts);
  } catch (err) {
    if (ip !== undefined) ctx.network?.release(ip);
    throw err;
  }
  try {
    await ctx.runtime.start(id);
    if (ip !== undefined) {
      const pid = await ctx.runtime.pid(id);
      if (!pid) throw new Error(`the sandbox ${id.slice(0, 12)} stopped before its network was set up`);
      await ctx.network!.attach({ sandboxId: id, pid, ip, pod: `${ref.namespace}/${ref.name}`, hostPorts: ports });
    }
  } catch (err) {
    // A sandbox that cannot start or be wired (a hostPort taken, …) is not kept: the next try makes a new one.
    await ctx.runtime.remove(id).catch(() => {});
    if (ip !== undefined) ctx.network?.release(ip);
    throw err;
  }
  return id;
}

/** Writes the pod's /etc/resolv.conf (as the CRI runtime does from the kubelet's DNS config); returns its path. */
export function writeResolvConf(ctx: AgentContext, pod: Pod): string {
  const dir = podDir(ctx, pod.metadata?.uid ?? "");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "resolv.conf");
  const dns = dnsFor(pod, ctx);
  let text = "";
  if (dns.searches.length) text += `search ${dns.searches.join(" ")}\n`;
  for (const ns of dns.nameservers) text += `nameserver ${ns}\n`;
  if (dns.options.length) text += `options ${dns.options.join(" ")}\n`;
  // Rewritten only when it changes: containers bind-mount this very file.
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text, { mode: 0o644 });
  return path;
}

/** Writes the pod's managed /etc/hosts (upstream managedHostsFileContent); returns its path. */
export function writeHostsFile(ctx: AgentContext, pod: Pod, podIPs: string[]): string {
  const dir = podDir(ctx, pod.metadata?.uid ?? "");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "etc-hosts");
  const aliases = pod.spec?.hostAliases ?? [];
  let text: string;
  if (pod.spec?.hostNetwork) {
    let nodeHosts = "";
    try {
      nodeHosts = readFileSync("/etc/hosts", "utf8");
    } catch {
      // none
    }
    text = `# Kubernetes-managed hosts file (host network).\n${nodeHosts}`;
  } else {
    const { hostname, domain } = hostnameAndDomain(pod, ctx.dns.clusterDomain);
    text =
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
      "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
    for (const ip of podIPs) text += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  }
  if (aliases.length) {
    text += "\n# Entries added by HostAliases.\n";
    for (const a of aliases) text += `${a.ip}\t${(a.hostnames ?? []).join("\t")}\n`;
  }
  // Rewritten only when it changes: containers bind-mount this very file.
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text, { mode: 0o644 });
  return path;
}
