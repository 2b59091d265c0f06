/**
 * The node IPAM controller (kube-controller-manager's "node-ipam-controller" with
 * --allocate-node-cidrs and the RangeAllocator, as k3s runs it): every Node gets a pod CIDR from
 * --cluster-cidr, a /--node-cidr-mask-size (24) block, written to spec.podCIDR and
 * spec.podCIDRs; a deleted Node's block goes back to the pool. The agents build their pod
 * bridge from it and route to the other nodes' blocks. Existing allocations are claimed from the
 * informer cache before any new one is made, so a restarted server never hands out a block twice.
 */
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { formatCidr } from "../../netaddr/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { as, NODES, type Node } from "../common/types.ts";
import { CidrSet } from "./cidr-set.ts";

export interface NodeIpamOptions {
  /** --cluster-cidr; without it the controller idles (upstream: --allocate-node-cidrs=false). */
  clusterCidr?: string;
  /** --node-cidr-mask-size (24, as k3s for IPv4). */
  nodeCidrMaskSize?: number;
}

function nodeRef(name: string): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, uid: name } };
}

export class NodeIpamController extends KeyedController {
  readonly name = "node-ipam-controller";
  private readonly nodes: Informer;
  private readonly cidrs: CidrSet;
  private readonly recorder: EventRecorder;
  /** CIDR held by each node name, as this controller last saw or wrote it. */
  private readonly held = new Map<string, string>();

  constructor(ctx: ControllerContext, clusterCidr: string, maskSize = 24) {
    super(ctx, undefined, 1);
    this.cidrs = new CidrSet(clusterCidr, maskSize);
    this.recorder = ctx.recorder("cidrAllocator");
    this.nodes = this.watch(ctx.informers.informer(NODES), {
      add: (n) => this.queue.add(n.metadata?.name ?? ""),
      update: (_, n) => this.queue.add(n.metadata?.name ?? ""),
      delete: (n) => this.queue.add(n.metadata?.name ?? ""),
    });
  }

  override async start(): Promise<void> {
    await this.nodes.start();
    // Claim what nodes hold before handing anything out.
    for (const obj of this.nodes.list()) this.claim(as<Node>(obj));
    await super.start();
  }

  private claim(node: Node): void {
    const name = node.metadata?.name ?? "";
    for (const cidr of node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : [])) {
      if (this.cidrs.occupy(cidr)) this.held.set(name, cidr);
      else this.log.warn("node holds a pod CIDR outside the cluster CIDR", { node: name, podCIDR: cidr });
    }
  }

  protected async sync(name: string): Promise<void> {
    const obj = this.nodes.get(name);
    if (!obj) {
      const cidr = this.held.get(name);
      if (cidr) {
        this.cidrs.release(cidr);
        this.held.delete(name);
        this.log.info("released pod CIDR of deleted node", { node: name, podCIDR: cidr });
      }
      return;
    }
    const node = as<Node>(obj);
    if ((node.spec?.podCIDRs ?? []).length > 0 || node.spec?.podCIDR) {
      if (!this.held.has(name)) this.claim(node);
      return;
    }
    // A node recreated under the same name gets its old block back while it is still held.
    const cidr = this.held.get(name) ?? this.cidrs.allocate();
    if (!cidr) {
      this.recorder.event(nodeRef(name), "Normal", "CIDRNotAvailable", `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no pod CIDR left in ${formatCidr(this.cidrs.cluster)} for node ${name}`);
    }
    this.held.set(name, cidr);
    try {
      await this.ctx.client.patch(NODES, "", name, "application/merge-patch+json", { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.log.info("allocated pod CIDR", { node: name, podCIDR: cidr });
    } catch (err) {
      this.cidrs.release(cidr);
      this.held.delete(name);
      this.recorder.event(nodeRef(name), "Warning", "CIDRAssignmentFailed", `Node ${name} status is now: CIDRAssignmentFailed`);
      throw err;
    }
  }
}
