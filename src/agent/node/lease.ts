/**
 * The node heartbeat (the kubelet's node lease controller): a Lease named after the node in
 * kube-node-lease, held by the node, renewed every quarter of its duration, owned by the Node so
 * it goes when the Node does. The node lifecycle controller reads renewTime to tell a live node
 * from a dead one, so renewals are cheap and frequent while full status writes are rarer.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import { ApiError } from "../../apiserver/api/errors.ts";

export const LEASES = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** The kubelet's nodeLeaseDurationSeconds default. */
export const DEFAULT_LEASE_DURATION_SECONDS = 40;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export interface NodeOwner {
  name: string;
  uid: string;
}

export class NodeLease {
  private current: KubeObject | undefined;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly durationSeconds: number,
    private readonly log: Logger,
  ) {}

  /** Renews the lease (creating it when missing); `owner` is the Node as registered now. */
  async renew(owner: NodeOwner | undefined, now = new Date()): Promise<void> {
    try {
      this.current = await this.write(owner, now);
    } catch (err) {
      this.current = undefined;
      // A conflict or a vanished lease: read it again and retry once.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
      this.current = await this.write(owner, now);
    }
  }

  private async write(owner: NodeOwner | undefined, now: Date): Promise<KubeObject> {
    const base = this.current ?? (await this.fetch());
    const lease: KubeObject = base ? structuredClone(base) : { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE } };
    const meta = lease.metadata!;
    if (owner) meta.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: owner.name, uid: owner.uid }];
    lease.spec = { ...(lease.spec as object | undefined), holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(now) };
    if (!base) {
      const created = await this.client.create(LEASES, NODE_LEASE_NAMESPACE, lease);
      this.log.v(2).info("created node lease", { lease: `${NODE_LEASE_NAMESPACE}/${this.nodeName}` });
      return created;
    }
    return this.client.update(LEASES, NODE_LEASE_NAMESPACE, lease);
  }

  private async fetch(): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(LEASES, NODE_LEASE_NAMESPACE, this.nodeName);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }
}
