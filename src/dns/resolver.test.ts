/**
 * The resolver's answers without sockets: IPv6 Services (AAAA, ip6.arpa PTR, dashed IPv6 names),
 * dual-stack, several cluster domains, names that are too long, and the wire encoding of an
 * answer read back.
 */
import { describe, expect, test } from "bun:test";
import { ClusterState } from "./cluster.ts";
import { addressFromReverse, endpointHostname, Resolver, type Resolution } from "./resolver.ts";
import { TYPE } from "./wire.ts";

function cluster(): Resolver {
  const s = new ClusterState();
  s.setNamespace("default");
  s.setService({ namespace: "default", name: "dual", type: "ClusterIP", clusterIPs: ["10.43.0.20", "fd00:43::20"], headless: false, ports: [{ name: "http", port: 80, protocol: "TCP" }] });
  s.setService({ namespace: "default", name: "v6", type: "ClusterIP", clusterIPs: ["fd00:43::21"], headless: false, ports: [{ name: "", port: 80, protocol: "TCP" }] });
  s.setService({ namespace: "default", name: "hl6", type: "ClusterIP", clusterIPs: [], headless: true, ports: [] });
  s.setSlice({ namespace: "default", name: "hl6-x", service: "hl6", ports: [], endpoints: [{ ip: "fd00:42::5" }, { ip: "fd00:42::6", hostname: "db-0" }] });
  s.synced = true;
  return new Resolver(s, { zones: ["cluster.local", "corp.internal"], ttl: 5, nsAddresses: () => ["10.43.0.10"] });
}

const records = (r: Resolution) => (r.kind === "answer" ? r.answers.map((a) => ({ name: a.name, ...a.data })) : r.kind);

describe("resolver", () => {
  const r = cluster();

  test("dual-stack and IPv6 Services: A and AAAA from their ClusterIPs", () => {
    expect(records(r.resolve("dual.default.svc.cluster.local", TYPE.A))).toEqual([{ name: "dual.default.svc.cluster.local", type: TYPE.A, address: "10.43.0.20" }]);
    expect(records(r.resolve("dual.default.svc.cluster.local", TYPE.AAAA))).toEqual([{ name: "dual.default.svc.cluster.local", type: TYPE.AAAA, address: "fd00:43::20" }]);
    const v4 = r.resolve("v6.default.svc.cluster.local", TYPE.A);
    expect(v4.kind === "answer" && [v4.rcode, v4.answers.length, v4.authority[0]?.data.type]).toEqual([0, 0, TYPE.SOA]);
  });

  test("headless IPv6 endpoints: AAAA for each, dashed names, a slice without ports has no SRV", () => {
    expect(records(r.resolve("hl6.default.svc.cluster.local", TYPE.AAAA)).length).toBe(2);
    expect(endpointHostname({ ip: "fd00:42::5" })).toBe("fd00-42--5");
    expect(endpointHostname({ ip: "fd00:42::" })).toBe("fd00-42--0");
    expect(records(r.resolve("fd00-42--5.hl6.default.svc.cluster.local", TYPE.AAAA))).toEqual([{ name: "fd00-42--5.hl6.default.svc.cluster.local", type: TYPE.AAAA, address: "fd00:42::5" }]);
    expect(records(r.resolve("db-0.hl6.default.svc.cluster.local", TYPE.AAAA))).toEqual([{ name: "db-0.hl6.default.svc.cluster.local", type: TYPE.AAAA, address: "fd00:42::6" }]);
    expect(records(r.resolve("hl6.default.svc.cluster.local", TYPE.SRV))).toEqual([]);
  });

  test("PTR in ip6.arpa, for any spelling of the address", () => {
    const nibbles = (ip: string) => {
      const full = ip.split("::");
      const head = full[0]!.split(":").filter(Boolean);
      const tail = (full[1] ?? "").split(":").filter(Boolean);
      const groups = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail].map((g) => g.padStart(4, "0")).join("");
      return `${[...groups].reverse().join(".")}.ip6.arpa`;
    };
    expect(addressFromReverse(nibbles("fd00:43::21"))).toBe("fd00:0043:0000:0000:0000:0000:0000:0021");
    expect(records(r.resolve(nibbles("fd00:43::21"), TYPE.PTR))).toEqual([{ name: nibbles("fd00:43::21"), type: TYPE.PTR, target: "v6.default.svc.cluster.local" }]);
    expect(records(r.resolve(nibbles("fd00:42::6"), TYPE.PTR))).toEqual([{ name: nibbles("fd00:42::6"), type: TYPE.PTR, target: "db-0.hl6.default.svc.cluster.local" }]);
    expect(r.resolve(nibbles("fd00:99::1"), TYPE.PTR).kind).toBe("forward");
    expect(r.resolve("4.3.2.in-addr.arpa", TYPE.PTR).kind).toBe("forward");
  });

  test("every cluster domain answers; PTR names use the first", () => {
    expect(records(r.resolve("dual.default.svc.corp.internal", TYPE.A))).toEqual([{ name: "dual.default.svc.corp.internal", type: TYPE.A, address: "10.43.0.20" }]);
    expect(records(r.resolve("20.0.43.10.in-addr.arpa", TYPE.PTR))).toEqual([{ name: "20.0.43.10.in-addr.arpa", type: TYPE.PTR, target: "dual.default.svc.cluster.local" }]);
    expect(r.resolve("example.com", TYPE.A).kind).toBe("forward");
    expect(r.resolve("notcluster.local", TYPE.A).kind).toBe("forward");
  });

  test("too many labels, unknown kinds and the name server's own name", () => {
    for (const name of ["a.b.c.dual.default.svc.cluster.local", "dual.default.nope.cluster.local", "x.1-2-3-4.default.pod.cluster.local"]) {
      const res = r.resolve(name, TYPE.A);
      expect(res.kind === "answer" && res.rcode).toBe(3);
    }
    expect(records(r.resolve("ns.dns.cluster.local", TYPE.A))).toEqual([{ name: "ns.dns.cluster.local", type: TYPE.A, address: "10.43.0.10" }]);
    expect(records(r.resolve("1-2-3-4.default.pod.cluster.local", TYPE.A))).toEqual([{ name: "1-2-3-4.default.pod.cluster.local", type: TYPE.A, address: "1.2.3.4" }]);
    expect(records(r.resolve("fd00-42--9.default.pod.cluster.local", TYPE.AAAA))).toEqual([{ name: "fd00-42--9.default.pod.cluster.local", type: TYPE.AAAA, address: "fd00:42::9" }]);
  });

  test("before the caches are filled: SERVFAIL for cluster names", () => {
    const s = new ClusterState();
    expect(new Resolver(s, { zones: ["cluster.local"], ttl: 5, nsAddresses: () => [] }).resolve("a.default.svc.cluster.local", TYPE.A).kind).toBe("servfail");
  });
});
