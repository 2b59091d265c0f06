/**
 * ServiceLB (k3s's "servicelb", the load balancer for clusters without a cloud): a Service of
 * type LoadBalancer gets the addresses of the cluster's ready nodes as
 * status.loadBalancer.ingress (a node's ExternalIP when it has one, else its InternalIP), and
 * every node's service proxy accepts the Service's ports on those addresses. k3s's rules are
 * kept: only nodes labelled svccontroller.k3s.cattle.io/enablelb=true when any node carries that
 * label, never nodes labelled node.kubernetes.io/exclude-from-external-load-balancers, Services
 * with a spec.loadBalancerClass are left to their own controller, and a Service asking for a
 * port another (older) LoadBalancer Service already holds stays pending, as a k3s svclb pod
 * whose hostPort is taken does.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { as, NODES, SERVICES, timeOf, type Node, type Service } from "../common/types.ts";

export const ENABLE_LB_LABEL = "svccontroller.k3s.cattle.io/enablelb";
export const EXCLUDE_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

type Ingress = { ip: string };

function isReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

function handled(svc: Service): boolean {
  return svc.spec?.type === "LoadBalancer" && !svc.spec.loadBalancerClass;
}

/** "TCP/80" for each port of the Service. */
function portKeys(svc: Service): string[] {
  return (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? "TCP"}/${p.port}`);
}

export class ServiceLbController extends KeyedController {
  readonly name = "service-lb-controller";
  private readonly services: Informer;
  private readonly nodes: Informer;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, undefined, 2);
    this.recorder = ctx.recorder("service-lb-controller");
    const enqueueAll = () => {
      for (const s of this.services.list()) if (handled(as<Service>(s))) this.queue.add(objectKey(s));
    };
    this.services = this.watch(ctx.informers.informer(SERVICES), {
      add: (s) => this.queue.add(objectKey(s)),
      update: (old, cur) => {
        this.queue.add(objectKey(cur));
        // A change of ports or type can free a port another Service waits for.
        if (JSON.stringify(old.spec) !== JSON.stringify(cur.spec)) enqueueAll();
      },
      delete: () => enqueueAll(),
    });
    this.nodes = this.watch(ctx.informers.informer(NODES), {
      add: enqueueAll,
      update: (old, cur) => {
        if (JSON.stringify(this.addressOf(as<Node>(old))) !== JSON.stringify(this.addressOf(as<Node>(cur))) || JSON.stringify(old.metadata?.labels) !== JSON.stringify(cur.metadata?.labels)) enqueueAll();
      },
      delete: enqueueAll,
    });
  }

  /** The address a node serves load balancers on, when it should. */
  private addressOf(node: Node): string | undefined {
    if (!isReady(node) || node.metadata?.labels?.[EXCLUDE_LB_LABEL] !== undefined) return undefined;
    const addrs = node.status?.addresses ?? [];
    return addrs.find((a) => a.type === "ExternalIP")?.address ?? addrs.find((a) => a.type === "InternalIP")?.address;
  }

  private ingress(): Ingress[] {
    const nodes = this.nodes.list().map((n) => as<Node>(n));
    const pool = nodes.some((n) => n.metadata?.labels?.[ENABLE_LB_LABEL] !== undefined) ? nodes.filter((n) => n.metadata?.labels?.[ENABLE_LB_LABEL] === "true") : nodes;
    const ips = new Set<string>();
    for (const n of pool) {
      const ip = this.addressOf(n);
      if (ip) ips.add(ip);
    }
    return [...ips].sort().map((ip) => ({ ip }));
  }

  /**
   * A port this Service wants that a LoadBalancer Service ahead of it holds, if any. Ahead means:
   * already serving (its ingress is set, as a running svclb pod holds its hostPort), then older,
   * then first by name.
   */
  private conflict(svc: Service): { port: string; holder: Service } | undefined {
    const mine = new Set(portKeys(svc));
    const rank = (s: Service) => [(s.status?.loadBalancer?.ingress ?? []).length > 0 ? 0 : 1, timeOf(s.metadata?.creationTimestamp), objectKey(s as KubeObject)] as const;
    const ahead = (o: Service) => {
      const [a, b] = [rank(o), rank(svc)];
      return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
    };
    for (const obj of this.services.list()) {
      const other = as<Service>(obj);
      if (other.metadata?.uid === svc.metadata?.uid || !handled(other) || !ahead(other)) continue;
      const port = portKeys(other).find((p) => mine.has(p));
      if (port) return { port, holder: other };
    }
    return undefined;
  }

  protected async sync(key: string): Promise<void> {
    const obj = this.services.get(key);
    if (!obj) return;
    const svc = as<Service>(obj);
    if (!handled(svc)) return;
    const clash = this.conflict(svc);
    const want = clash ? [] : this.ingress();
    if (clash) this.recorder.event(svc as KubeObject, "Warning", "PortInUse", `port ${clash.port} is already held by LoadBalancer Service ${objectKey(clash.holder as KubeObject)}`);
    const have = (svc.status?.loadBalancer?.ingress ?? []).map((i) => ({ ip: i.ip ?? "" }));
    if (JSON.stringify(have) === JSON.stringify(want)) return;
    const { namespace, name } = splitKey(key);
    await this.ctx.client.patch(SERVICES, namespace, name, "application/merge-patch+json", { status: { loadBalancer: { ingress: want.length ? want : null } } }, { subresource: "status" });
    if (!clash) this.recorder.event(svc as KubeObject, "Normal", "UpdatedIngressIP", `LoadBalancer Ingress IP addresses updated: ${want.map((i) => i.ip).join(", ")}`);
  }
}
