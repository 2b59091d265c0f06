/**
 * The pod CIDRs of a cluster CIDR (upstream's cidrset): the cluster block split into equal
 * /maskSize subnets, handed out in order from after the last one given (so a released subnet is
 * not reused at once), claimed at start from the nodes that already hold one.
 */
import { formatCidr, mustParseCidr, parseCidr, subnet, subnetCount, subnetIndex, type Cidr } from "../../netaddr/index.ts";

export class CidrSet {
  readonly cluster: Cidr;
  private readonly used = new Set<number>();
  private readonly count: number;
  private next = 0;

  constructor(
    clusterCidr: string,
    readonly maskSize: number,
  ) {
    this.cluster = mustParseCidr(clusterCidr);
    if (maskSize < this.cluster.bits) throw new Error(`--node-cidr-mask-size ${maskSize} is larger than the cluster CIDR ${clusterCidr}`);
    if (maskSize - this.cluster.bits > 16) throw new Error(`--node-cidr-mask-size ${maskSize} splits ${clusterCidr} into more than 65536 node CIDRs`);
    this.count = subnetCount(this.cluster, maskSize);
  }

  /** Marks a node's existing CIDR taken; false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const c = parseCidr(cidr);
    const i = c && subnetIndex(this.cluster, this.maskSize, c);
    if (i === undefined || i === null) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const c = parseCidr(cidr);
    const i = c && subnetIndex(this.cluster, this.maskSize, c);
    if (i !== undefined && i !== null) this.used.delete(i);
  }

  /** The next free subnet, or undefined when every one is taken. */
  allocate(): string | undefined {
    for (let k = 0; k < this.count; k++) {
      const i = (this.next + k) % this.count;
      if (this.used.has(i)) continue;
      this.used.add(i);
      this.next = (i + 1) % this.count;
      return formatCidr(subnet(this.cluster, this.maskSize, i));
    }
    return undefined;
  }

  get allocated(): number {
    return this.used.size;
  }
}
