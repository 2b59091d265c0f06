import { describe, expect, test } from "bun:test";
import { serviceDefinition as def } from "./service.ts";
import { ago, create, headers, row, selectable, update } from "./testing.ts";
import type { Service } from "./types.ts";

const svc = (spec: object, meta: object = {}) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default", ...meta }, spec });
const spec = (obj: object) => (obj as Service).spec!;

describe("services: metadata", () => {
  test("discovery facts and storage", () => {
    expect([def.plural, def.singular, def.shortNames, def.categories, def.storagePath, def.nameRule, def.statusSubresource]).toEqual([
      "services",
      "service",
      ["svc"],
      ["all"],
      "services/specs",
      "dns1035",
      true,
    ]);
  });
});

describe("services: defaults on create", () => {
  test("a ClusterIP service reads back as on 1.32 (before allocation)", () => {
    const { obj, errors } = create(def, svc({ selector: { app: "web" }, ports: [{ port: 80 }] }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
    });
    expect(obj.status).toEqual({ loadBalancer: {} });
  });

  test("NodePort and LoadBalancer get externalTrafficPolicy; LoadBalancer allocateLoadBalancerNodePorts", () => {
    const np = spec(create(def, svc({ type: "NodePort", ports: [{ port: 80, targetPort: "http" }] })).obj);
    expect([np.externalTrafficPolicy, np.allocateLoadBalancerNodePorts, np.ports?.[0]?.targetPort]).toEqual(["Cluster", undefined, "http"]);
    const lb = spec(create(def, svc({ type: "LoadBalancer", ports: [{ port: 443 }] })).obj);
    expect([lb.externalTrafficPolicy, lb.allocateLoadBalancerNodePorts, lb.internalTrafficPolicy]).toEqual(["Cluster", true, "Cluster"]);
  });

  test("ClientIP affinity gets the 3h timeout", () => {
    expect(spec(create(def, svc({ sessionAffinity: "ClientIP", ports: [{ port: 80 }] })).obj).sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  test("headless services: clusterIPs follow clusterIP; selectorless ones may be dual-stack", () => {
    const withSelector = spec(create(def, svc({ clusterIP: "None", selector: { app: "db" } })).obj);
    expect([withSelector.clusterIPs, withSelector.ipFamilyPolicy, withSelector.ipFamilies]).toEqual([["None"], "SingleStack", ["IPv4"]]);
    const bare = create(def, svc({ clusterIP: "None", ports: [{ port: 5432 }] }));
    expect(bare.errors).toEqual([]);
    expect([spec(bare.obj).ipFamilyPolicy, spec(bare.obj).ipFamilies]).toEqual(["RequireDualStack", ["IPv4", "IPv6"]]);
  });

  test("ExternalName services have no cluster IP fields", () => {
    const { obj, errors } = create(def, svc({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.43.0.9" }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ type: "ExternalName", externalName: "db.example.com", sessionAffinity: "None" });
  });
});

describe("services: validation", () => {
  test.each<[string, object, string[]]>([
    ["ports are required", { selector: { app: "x" } }, ["spec.ports: Required value"]],
    [
      "several ports need names",
      { ports: [{ port: 80 }, { port: 443, name: "https" }, { port: 8443, name: "https" }] },
      ["spec.ports[0].name: Required value", 'spec.ports[2].name: Duplicate value: "https"'],
    ],
    [
      "port numbers and protocols",
      { ports: [{ port: 0, protocol: "HTTP", targetPort: 70000 }] },
      [
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      ],
    ],
    ["type", { type: "Internal", ports: [{ port: 80 }] }, ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ["nodePort on ClusterIP", { ports: [{ port: 80, nodePort: 30080 }] }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ["headless NodePort", { type: "NodePort", clusterIP: "None", ports: [{ port: 80 }] }, ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services']],
    ["external name required", { type: "ExternalName" }, ["spec.externalName: Required value"]],
    ["bad cluster IP", { clusterIP: "10.43.0.300", ports: [{ port: 80 }] }, ['spec.clusterIPs[0]: Invalid value: "10.43.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ["loopback external IP", { externalIPs: ["127.0.0.1"], ports: [{ port: 80 }] }, ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    ["selector labels", { selector: { "a b": "x" }, ports: [{ port: 80 }] }, []],
    ["source ranges need a LoadBalancer", { loadBalancerSourceRanges: ["10.0.0.0/8"], ports: [{ port: 80 }] }, ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    ["duplicate port", { ports: [{ port: 80, name: "a" }, { port: 80, name: "b" }] }, ['spec.ports[1]: Duplicate value: {"protocol":"TCP","port":80}']],
    ["dual-stack on a single-stack cluster", { ipFamilyPolicy: "RequireDualStack", ports: [{ port: 80 }] }, ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']],
  ])("%s", (name, s, want) => {
    const { errors } = create(def, svc(s));
    if (name === "selector labels") expect(errors[0]).toStartWith('spec.selector: Invalid value: "a b": name part must consist of alphanumeric characters');
    else expect(errors).toEqual(want);
  });
});

describe("services: update", () => {
  const stored = (() => {
    const s = create(def, svc({ type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] })).obj as Service;
    s.spec!.clusterIP = "10.43.0.10";
    s.spec!.clusterIPs = ["10.43.0.10"];
    s.spec!.ports![0]!.nodePort = 30080;
    return s as unknown as Parameters<typeof update>[2];
  })();

  test("a full update that omits allocated values keeps them", () => {
    const { obj, errors } = update(def, svc({ type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] }), stored);
    expect(errors).toEqual([]);
    expect([spec(obj).clusterIP, spec(obj).clusterIPs, spec(obj).ports?.[0]?.nodePort, spec(obj).ipFamilies]).toEqual(["10.43.0.10", ["10.43.0.10"], 30080, ["IPv4"]]);
  });

  test("the cluster IP may not change", () => {
    const changed = structuredClone(stored) as Service;
    changed.spec!.clusterIP = "10.43.0.11";
    expect(update(def, changed, stored).errors).toEqual(['spec.clusterIPs[0]: Invalid value: ["10.43.0.11"]: may not change once set']);
  });

  test("switching NodePort -> ClusterIP drops node ports and the external policy", () => {
    const changed = structuredClone(stored) as Service;
    changed.spec!.type = "ClusterIP";
    const { obj, errors } = update(def, changed, stored);
    expect(errors).toEqual([]);
    expect([spec(obj).ports?.[0]?.nodePort, spec(obj).externalTrafficPolicy]).toEqual([undefined, undefined]);
  });

  test("switching to ExternalName drops cluster IP fields", () => {
    const changed = structuredClone(stored) as Service;
    changed.spec!.type = "ExternalName";
    changed.spec!.externalName = "example.com";
    const { obj, errors } = update(def, changed, stored);
    expect(errors).toEqual([]);
    expect([spec(obj).clusterIP, spec(obj).clusterIPs, spec(obj).ipFamilies, spec(obj).ipFamilyPolicy]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("services: table", () => {
  const base = (s: object, status: object = {}) => ({ metadata: { name: "web", creationTimestamp: ago(5 * 86_400_000) }, spec: s, status });

  test("columns", () => {
    expect(headers(def)).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector(wide)"]);
  });

  test.each<[string, object, object, unknown[]]>([
    ["ClusterIP", { type: "ClusterIP", clusterIPs: ["10.43.0.1"], ports: [{ port: 443, protocol: "TCP" }], selector: { app: "web", tier: "fe" } }, {}, ["ClusterIP", "10.43.0.1", "<none>", "443/TCP", "app=web,tier=fe"]],
    [
      "NodePort with external IPs",
      { type: "NodePort", clusterIPs: ["10.43.0.2"], externalIPs: ["192.0.2.1"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }, { port: 53, nodePort: 30053, protocol: "UDP" }] },
      {},
      ["NodePort", "10.43.0.2", "192.0.2.1", "80:30080/TCP,53:30053/UDP", "<none>"],
    ],
    ["pending LoadBalancer", { type: "LoadBalancer", clusterIPs: ["10.43.0.3"], ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }] }, { loadBalancer: {} }, ["LoadBalancer", "10.43.0.3", "<pending>", "80:31000/TCP", "<none>"]],
    [
      "LoadBalancer with ingress",
      { type: "LoadBalancer", clusterIPs: ["10.43.0.3"], ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }] },
      { loadBalancer: { ingress: [{ ip: "192.168.1.20" }, { hostname: "lb.example.com" }, { ip: "192.168.1.10" }] } },
      ["LoadBalancer", "10.43.0.3", "192.168.1.10,192.168.1.20,lb.example.com", "80:31000/TCP", "<none>"],
    ],
    ["ExternalName", { type: "ExternalName", externalName: "db.example.com" }, {}, ["ExternalName", "<none>", "db.example.com", "<none>", "<none>"]],
    ["headless", { type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], ports: [{ port: 5432, protocol: "TCP" }] }, {}, ["ClusterIP", "None", "<none>", "5432/TCP", "<none>"]],
  ])("%s", (_n, s, status, want) => {
    const r = row(def, base(s, status));
    expect([r.Type, r["Cluster-IP"], r["External-IP"], r["Port(s)"], r.Selector]).toEqual(want);
    expect(r.Age).toBe("5d");
  });

  test("field selectors", () => {
    expect(selectable(def, { spec: { type: "ClusterIP", clusterIP: "None" } })).toEqual({ "spec.clusterIP": "None", "spec.type": "ClusterIP" });
  });
});
