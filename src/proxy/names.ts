/**
 * Chain names, as upstream's iptables proxier makes them: KUBE-SVC-/KUBE-SVL-/KUBE-EXT-/KUBE-FW-
 * plus the first 16 characters of the base32 SHA-256 of "<namespace>/<name>:<port name>" and the
 * lower-case protocol, KUBE-SEP- of the same plus "<ip>:<port>". The same Service port always gets
 * the same chain on every node and across restarts. The "KUBE" prefix is configurable so several
 * proxies (tests: several nodes on one machine) can share a network namespace.
 */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (Go's base32.StdEncoding), enough of it for a hash prefix. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const hashes = new Map<string, string>();

/**
 * Memoized: a sync names every chain again, and most names do not change between syncs.
 * Bun.SHA256 (about 10x node:crypto's createHash for short inputs) keeps a cold first sync cheap.
 */
function hash16(text: string): string {
  let h = hashes.get(text);
  if (h === undefined) {
    // 10 bytes are exactly 16 base32 characters: the same prefix as encoding the whole digest.
    h = base32((Bun.SHA256.hash(text) as Uint8Array).subarray(0, 10));
    if (hashes.size > 200_000) hashes.clear();
    hashes.set(text, h);
  }
  return h;
}

/** The fixed chains and the per-service chain makers for one prefix ("KUBE"). */
export class ChainNames {
  readonly services: string;
  readonly externalServices: string;
  readonly nodePorts: string;
  readonly postrouting: string;
  readonly markMasq: string;
  readonly forward: string;
  readonly firewall: string;

  constructor(readonly prefix = "KUBE") {
    if (!/^[A-Z][A-Z0-9]{0,5}$/.test(prefix)) throw new Error(`chain prefix ${JSON.stringify(prefix)} must be 1-6 upper-case letters or digits`);
    this.services = `${prefix}-SERVICES`;
    this.externalServices = `${prefix}-EXTERNAL-SERVICES`;
    this.nodePorts = `${prefix}-NODEPORTS`;
    this.postrouting = `${prefix}-POSTROUTING`;
    this.markMasq = `${prefix}-MARK-MASQ`;
    this.forward = `${prefix}-FORWARD`;
    this.firewall = `${prefix}-PROXY-FIREWALL`;
  }

  /** Cluster traffic policy chain. */
  svc(servicePort: string, protocol: string): string {
    return `${this.prefix}-SVC-${hash16(servicePort + protocol.toLowerCase())}`;
  }

  /** Local traffic policy chain. */
  svl(servicePort: string, protocol: string): string {
    return `${this.prefix}-SVL-${hash16(servicePort + protocol.toLowerCase())}`;
  }

  /** External destinations (node ports, external IPs, load balancer IPs). */
  ext(servicePort: string, protocol: string): string {
    return `${this.prefix}-EXT-${hash16(servicePort + protocol.toLowerCase())}`;
  }

  /** loadBalancerSourceRanges filter. */
  fw(servicePort: string, protocol: string): string {
    return `${this.prefix}-FW-${hash16(servicePort + protocol.toLowerCase())}`;
  }

  /** One endpoint ("10.42.0.5:8080") of a service port. */
  sep(servicePort: string, protocol: string, endpoint: string): string {
    return `${this.prefix}-SEP-${hash16(servicePort + protocol.toLowerCase() + endpoint)}`;
  }

  /** Whether a chain is one of the per-service chains this prefix makes (stale ones are deleted). */
  isServiceChain(chain: string): boolean {
    return /^(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}$/.test(chain.slice(this.prefix.length + 1)) && chain.startsWith(`${this.prefix}-`);
  }

  /** Every chain of this prefix, fixed or per service. */
  isOwn(chain: string): boolean {
    return chain.startsWith(`${this.prefix}-`) && (this.isServiceChain(chain) || this.fixed().includes(chain));
  }

  fixed(): string[] {
    return [this.services, this.externalServices, this.nodePorts, this.postrouting, this.markMasq, this.forward, this.firewall];
  }
}
