/**
 * Answers for the cluster's zones, as CoreDNS's kubernetes plugin gives them (the DNS
 * specification of Kubernetes, schema 1.1.0):
 *   <svc>.<ns>.svc.<zone>            A/AAAA: the ClusterIPs; headless: every ready endpoint;
 *                                    ExternalName: a CNAME to the external name
 *   <host>.<svc>.<ns>.svc.<zone>     one endpoint, by its hostname or its dashed IP
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for named ports (targets and addresses)
 *   <a-b-c-d>.<ns>.pod.<zone>        A (any address, CoreDNS's "pods insecure")
 *   <reversed ip>.in-addr.arpa / ip6.arpa   PTR for ClusterIPs and endpoint IPs
 * Names that do not exist get NXDOMAIN with the zone's SOA; names that exist without data of the
 * asked type get NOERROR with the SOA. Reverse names that are not the cluster's fall through to
 * the upstream resolver, as CoreDNS's `fallthrough in-addr.arpa ip6.arpa`.
 */
import { ipKey, type ClusterState, type EndpointInfo, type ServicePort } from "./cluster.ts";
import { expandIpv6, RCODE, splitLabels, TYPE, type ResourceRecord } from "./wire.ts";

/** The version of the Kubernetes DNS specification answered at dns-version.<zone>. */
export const DNS_SCHEMA_VERSION = "1.1.0";

export interface ResolverConfig {
  /** Cluster domains, the first being the primary (names in PTR answers use it). */
  zones: string[];
  /** TTL of every cluster answer (CoreDNS's default: 5 s). */
  ttl: number;
  /** Addresses of this DNS service (glue for ns.dns.<zone>). */
  nsAddresses(): string[];
}

export type Resolution =
  | {
      kind: "answer";
      rcode: number;
      answers: ResourceRecord[];
      authority: ResourceRecord[];
      additional: ResourceRecord[];
      /** An ExternalName outside the cluster: the answer continues with the target's records from upstream. */
      chase?: { name: string; type: number };
    }
  /** Not a cluster name: the upstream resolver answers. */
  | { kind: "forward" }
  /** Zone transfers are not served. */
  | { kind: "refused" }
  /** The caches are not filled yet. */
  | { kind: "servfail" };

/** An endpoint of a name: an address or a host name, with a port for SRV answers. */
interface Entry {
  host: string;
  /** -1: no port (no SRV record). */
  port: number;
  /** The FQDN an SRV record points to for this entry. */
  target: string;
}

type Lookup = { entries: Entry[] } | { nx: true };

const REVERSE_ZONES = ["in-addr.arpa", "ip6.arpa"];

function isIPv4(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split(".").every((p) => Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  return s.includes(":") && expandIpv6(s) !== undefined;
}

function hostType(host: string): "A" | "AAAA" | "CNAME" {
  return isIPv4(host) ? "A" : isIPv6(host) ? "AAAA" : "CNAME";
}

/** CoreDNS's endpointHostname: the endpoint's hostname, else its IP with dashes. */
export function endpointHostname(ep: EndpointInfo): string {
  if (ep.hostname) return ep.hostname;
  if (ep.ip.includes(".")) return ep.ip.replaceAll(".", "-");
  const dashed = ep.ip.replaceAll(":", "-");
  return dashed.endsWith("-") ? `${dashed}0` : dashed;
}

function portMatches(wantPort: string, wantProto: string, p: ServicePort): boolean {
  return (wantPort === "" || wantPort === p.name.toLowerCase()) && (wantProto === "" || wantProto === p.protocol.toLowerCase());
}

/** The address a reverse name stands for ("4.3.2.1.in-addr.arpa" → "1.2.3.4"), or "" when partial. */
export function addressFromReverse(name: string): string {
  if (name.endsWith(".in-addr.arpa")) {
    const parts = name.slice(0, -".in-addr.arpa".length).split(".");
    if (parts.length !== 4) return "";
    const ip = parts.reverse().join(".");
    return isIPv4(ip) ? ip : "";
  }
  if (name.endsWith(".ip6.arpa")) {
    const nibbles = name.slice(0, -".ip6.arpa".length).split(".");
    if (nibbles.length !== 32 || nibbles.some((n) => !/^[0-9a-f]$/.test(n))) return "";
    const hex = nibbles.reverse().join("");
    return hex.match(/.{4}/g)!.join(":");
  }
  return "";
}

export class Resolver {
  constructor(
    private readonly state: ClusterState,
    readonly config: ResolverConfig,
  ) {}

  /** The cluster zone a name is in, if any ("" when none). */
  private zoneOf(name: string): string {
    for (const z of [...this.config.zones, ...REVERSE_ZONES]) if (name === z || name.endsWith(`.${z}`)) return z;
    return "";
  }

  /** Answers a question; `name` is compared lower-cased, records carry `qname` as the client wrote it. */
  resolve(qname: string, qtype: number): Resolution {
    const name = qname.toLowerCase().replace(/\.$/, "");
    const zone = this.zoneOf(name);
    if (!zone) return { kind: "forward" };
    if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return { kind: "refused" };
    if (REVERSE_ZONES.includes(zone)) return this.reverse(qname, name, qtype);
    if (!this.state.synced) return { kind: "servfail" };
    return this.forward(qname, name, zone, qtype);
  }

  private soa(zone: string): ResourceRecord {
    const ttl = this.config.ttl;
    return {
      name: zone,
      ttl,
      data: { type: TYPE.SOA, mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: this.state.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
    };
  }

  private reply(rcode: number, zone: string, answers: ResourceRecord[] = [], additional: ResourceRecord[] = []): Resolution {
    const authority = answers.length === 0 ? [this.soa(zone)] : [];
    return { kind: "answer", rcode, answers, authority, additional };
  }

  private reverse(qname: string, name: string, qtype: number): Resolution {
    if (qtype !== TYPE.PTR) return { kind: "forward" };
    const ip = addressFromReverse(name);
    if (!ip || !this.state.synced) return { kind: "forward" };
    const primary = this.config.zones[0]!;
    const ttl = this.config.ttl;
    for (const svc of this.state.servicesWithIP(ip)) {
      return this.answer([{ name: qname, ttl, data: { type: TYPE.PTR, target: `${svc.name}.${svc.namespace}.svc.${primary}` } }]);
    }
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const slice of this.state.slicesWithIP(ip)) {
      for (const ep of slice.endpoints) {
        if (ipKey(ep.ip) !== ipKey(ip)) continue;
        const target = `${endpointHostname(ep)}.${slice.service}.${slice.namespace}.svc.${primary}`;
        if (seen.has(target)) continue;
        seen.add(target);
        answers.push({ name: qname, ttl, data: { type: TYPE.PTR, target } });
      }
    }
    return answers.length ? this.answer(answers) : { kind: "forward" };
  }

  private answer(answers: ResourceRecord[], additional: ResourceRecord[] = []): Resolution {
    return { kind: "answer", rcode: RCODE.NOERROR, answers, authority: [], additional };
  }

  private forward(qname: string, name: string, zone: string, qtype: number): Resolution {
    const ttl = this.config.ttl;
    // The apex: SOA and NS; ns.dns.<zone> is the name server's own address.
    if (name === zone && qtype === TYPE.SOA) return this.answer([{ ...this.soa(zone), name: qname }]);
    if (name === zone && qtype === TYPE.NS) {
      const ns = `ns.dns.${zone}`;
      return this.answer([{ name: qname, ttl, data: { type: TYPE.NS, target: ns } }], this.addressRecords(ns, this.config.nsAddresses()));
    }
    if (name === `ns.dns.${zone}`) {
      const recs = this.addressRecords(qname, this.config.nsAddresses()).filter((r) => r.data.type === qtype);
      return this.reply(RCODE.NOERROR, zone, recs);
    }
    if (name === `dns-version.${zone}`) {
      return qtype === TYPE.TXT ? this.answer([{ name: qname, ttl, data: { type: TYPE.TXT, texts: [DNS_SCHEMA_VERSION] } }]) : this.reply(RCODE.NOERROR, zone);
    }
    const found = this.lookup(name, zone);
    if ("nx" in found) return this.reply(RCODE.NXDOMAIN, zone);
    const { entries } = found;
    switch (qtype) {
      case TYPE.A:
      case TYPE.AAAA:
        return this.addresses(qname, zone, qtype, entries, 0);
      case TYPE.SRV:
        return this.srv(qname, zone, entries);
      case TYPE.CNAME: {
        const cname = entries.find((e) => hostType(e.host) === "CNAME");
        return this.reply(RCODE.NOERROR, zone, cname ? [{ name: qname, ttl, data: { type: TYPE.CNAME, target: cname.host } }] : []);
      }
      default:
        return this.reply(RCODE.NOERROR, zone);
    }
  }

  private addressRecords(name: string, ips: string[]): ResourceRecord[] {
    const ttl = this.config.ttl;
    return ips.map((ip) => ({ name, ttl, data: isIPv4(ip) ? { type: TYPE.A, address: ip } : { type: TYPE.AAAA, address: ip } }));
  }

  /** A/AAAA: addresses of the entries; CNAMEs followed inside the zone, chased upstream outside it. */
  private addresses(qname: string, zone: string, qtype: number, entries: Entry[], depth: number): Resolution {
    const ttl = this.config.ttl;
    const want = qtype === TYPE.A ? "A" : "AAAA";
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      const t = hostType(e.host);
      if (t === want && !seen.has(e.host)) {
        seen.add(e.host);
        answers.push({ name: qname, ttl, data: qtype === TYPE.A ? { type: TYPE.A, address: e.host } : { type: TYPE.AAAA, address: e.host } });
      }
      if (t !== "CNAME" || e.host.toLowerCase() === qname.toLowerCase()) continue;
      const cname: ResourceRecord = { name: qname, ttl, data: { type: TYPE.CNAME, target: e.host } };
      const target = e.host.toLowerCase().replace(/\.$/, "");
      if (target === zone || target.endsWith(`.${zone}`)) {
        if (depth >= 10) continue;
        const next = this.lookup(target, zone);
        if ("nx" in next) continue;
        const inner = this.addresses(e.host, zone, qtype, next.entries, depth + 1);
        if (inner.kind === "answer" && inner.answers.length) answers.push(cname, ...inner.answers);
        continue;
      }
      return { kind: "answer", rcode: RCODE.NOERROR, answers: [cname], authority: [], additional: [], chase: { name: e.host, type: qtype } };
    }
    return this.reply(RCODE.NOERROR, zone, answers);
  }

  /** SRV: one record per entry with a port, weights shared equally (CoreDNS's), addresses as additional records. */
  private srv(qname: string, zone: string, entries: Entry[]): Resolution {
    const ttl = this.config.ttl;
    const withPort = entries.filter((e) => e.port !== -1);
    const weight = Math.max(1, Math.floor(100 / Math.max(1, entries.length)));
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const e of withPort) {
      const t = hostType(e.host);
      const target = t === "CNAME" ? e.host : e.target;
      const key = `${target}|${e.port}`;
      if (!seen.has(key)) {
        seen.add(key);
        answers.push({ name: qname, ttl, data: { type: TYPE.SRV, priority: 0, weight, port: e.port, target } });
      }
      const addrKey = `${target}|${e.host}`;
      if (t !== "CNAME" && !seen.has(addrKey)) {
        seen.add(addrKey);
        additional.push(...this.addressRecords(target, [e.host]));
      }
    }
    return this.reply(RCODE.NOERROR, zone, answers, additional);
  }

  /** The entries of a name under a cluster zone (CoreDNS's Records), or NXDOMAIN. */
  private lookup(name: string, zone: string): Lookup {
    const base = name === zone ? "" : name.slice(0, -(zone.length + 1));
    if (base === "" || base === "svc" || base === "pod") return { entries: [] };
    const segs = splitLabels(base);
    let last = segs.length - 1;
    const kind = segs[last--]!;
    if (kind !== "svc" && kind !== "pod") return { nx: true };
    const namespace = segs[last--]!;
    if (!this.state.namespaceExists(namespace)) return { nx: true };
    if (last < 0) return { entries: [] };
    const service = segs[last--]!;
    let endpoint = "";
    let port = "";
    let proto = "";
    if (last === 0) endpoint = segs[0]!;
    else if (last === 1) {
      proto = segs[1]!.replace(/^_/, "");
      port = segs[0]!.replace(/^_/, "");
    } else if (last > 1) return { nx: true };
    if (kind === "pod") return this.pod(service, last >= 0, zone, namespace);
    return this.service(namespace, service, endpoint, port, proto, zone);
  }

  private pod(label: string, tooLong: boolean, zone: string, namespace: string): Lookup {
    if (tooLong) return { nx: true };
    const ip = (label.split("-").length === 4 && !label.includes("--") ? label.replaceAll("-", ".") : label.replaceAll("-", ":")).toLowerCase();
    if (!isIPv4(ip) && !isIPv6(ip)) return { nx: true };
    return { entries: [{ host: ip, port: -1, target: `${label}.${namespace}.pod.${zone}` }] };
  }

  private service(namespace: string, name: string, endpoint: string, port: string, proto: string, zone: string): Lookup {
    const svc = this.state.service(namespace, name);
    if (!svc) return { nx: true };
    const svcName = `${name}.${namespace}.svc.${zone}`;
    if (svc.type === "ExternalName") {
      if (endpoint || port || proto || !svc.externalName || hostType(svc.externalName) !== "CNAME") return { nx: true };
      return { entries: [{ host: svc.externalName, port: -1, target: svcName }] };
    }
    const entries: Entry[] = [];
    if (svc.headless || endpoint) {
      for (const slice of this.state.slicesOf(namespace, name)) {
        const ports = slice.ports.length ? slice.ports : [{ name: "", port: -1, protocol: "" }];
        for (const ep of slice.endpoints) {
          const host = endpointHostname(ep);
          if (endpoint && endpoint !== host.toLowerCase()) continue;
          for (const p of ports) if (portMatches(port, proto, p)) entries.push({ host: ep.ip, port: p.port, target: `${host}.${svcName}` });
        }
      }
      return entries.length ? { entries } : { nx: true };
    }
    let matched = false;
    for (const p of svc.ports) {
      if (!portMatches(port, proto, p)) continue;
      matched = true;
      for (const ip of svc.clusterIPs) entries.push({ host: ip, port: p.port, target: svcName });
    }
    return matched ? { entries } : { nx: true };
  }
}
