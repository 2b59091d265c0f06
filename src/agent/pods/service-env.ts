/**
 * Docker-link style service variables (FOO_SERVICE_HOST, FOO_PORT_80_TCP_ADDR, …) for the
 * services of a pod's namespace (when enableServiceLinks) and the `kubernetes` service of the
 * default namespace, as the kubelet injects them. Service lists are cached briefly per namespace.
 */
import type { Client } from "../../client/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Pod } from "../runtime/index.ts";

const SERVICES = { group: "", version: "v1", resource: "services" };
const TTL_MS = 2000;

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
}

interface Service extends KubeObject {
  spec?: { clusterIP?: string; ports?: ServicePort[] };
}

const varName = (s: string) => s.toUpperCase().replace(/-/g, "_");

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** upstream envvars.FromServices for one service. */
function serviceVars(svc: Service, out: Map<string, string>): void {
  const ip = svc.spec?.clusterIP ?? "";
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === "None" || ports.length === 0) return;
  const prefix = varName(svc.metadata?.name ?? "");
  out.set(`${prefix}_SERVICE_HOST`, ip);
  out.set(`${prefix}_SERVICE_PORT`, String(ports[0]!.port));
  for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${varName(p.name)}`, String(p.port));
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? "TCP").toLowerCase();
    const url = `${proto}://${hostPort(ip, p.port)}`;
    if (i === 0) out.set(`${prefix}_PORT`, url);
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.set(pp, url);
    out.set(`${pp}_PROTO`, proto);
    out.set(`${pp}_PORT`, String(p.port));
    out.set(`${pp}_ADDR`, ip);
  });
}

export class ServiceEnv {
  private readonly cache = new Map<string, { at: number; items: Promise<Service[]> }>();

  constructor(private readonly client: Client) {}

  private list(ns: string): Promise<Service[]> {
    const hit = this.cache.get(ns);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.items;
    const items = this.client.list(SERVICES, ns).then(
      (l) => l.items as Service[],
      () => [] as Service[],
    );
    this.cache.set(ns, { at: Date.now(), items });
    return items;
  }

  async forPod(pod: Pod): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ns = pod.metadata?.namespace ?? "";
    const links = pod.spec?.enableServiceLinks !== false;
    const services = new Map<string, Service>();
    for (const s of await this.list("default")) if (s.metadata?.name === "kubernetes") services.set("kubernetes", s);
    if (links) for (const s of await this.list(ns)) services.set(s.metadata?.name ?? "", s);
    // The default namespace's `kubernetes` service wins over a namespace's own one of that name.
    if (ns !== "default" && links) {
      const master = (await this.list("default")).find((s) => s.metadata?.name === "kubernetes");
      if (master) services.set("kubernetes", master);
    }
    for (const s of services.values()) serviceVars(s, out);
    return out;
  }
}
