import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { ingressDefinition as def, formatHosts } from "./ingresses.ts";

const DNS_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** `kubectl create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert" --dry-run=client -o json` */
const kubectlCreate = (): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "simple", creationTimestamp: null as unknown as string },
  spec: {
    tls: [{ hosts: ["foo.com"], secretName: "my-cert" }],
    rules: [{ host: "foo.com", http: { paths: [{ path: "/bar", pathType: "Exact", backend: { service: { name: "svc1", port: { number: 8080 } } } }] } }],
  },
  status: { loadBalancer: {} },
});

const withPath = (p: Record<string, unknown>): KubeObject => ({ ...kubectlCreate(), spec: { rules: [{ host: "foo.com", http: { paths: [p] } }] } });
const backend = { service: { name: "svc1", port: { number: 80 } } };

describe("ingresses: create", () => {
  test("the kubectl generator's ingress is stored as sent, with an empty load-balancer status", () => {
    const { obj, errors } = create(def, { ...kubectlCreate(), status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } });
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual(kubectlCreate().spec);
    expect(obj.status).toEqual({ loadBalancer: {} });
    expect(obj.metadata?.generation).toBe(1);
  });

  test("a service backend's port is always written", () => {
    const { obj } = create(def, { ...kubectlCreate(), spec: { defaultBackend: { service: { name: "svc1" } } } });
    expect(obj.spec).toEqual({ defaultBackend: { service: { name: "svc1", port: {} } } });
  });

  test.each<[string, KubeObject, string[]]>([
    ["no rules and no default backend", { ...kubectlCreate(), spec: {} }, ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]],
    ["an empty rules list", { ...kubectlCreate(), spec: { rules: [] } }, ["spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified"]],
    ["a path without pathType", withPath({ path: "/", backend }), ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]],
    [
      "an unknown pathType",
      withPath({ path: "/", pathType: "Regex", backend }),
      ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    ],
    ["a relative Prefix path", withPath({ path: "api", pathType: "Prefix", backend }), ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']],
    [
      "a Prefix path with // and a /.. ending",
      withPath({ path: "/a//b/..", pathType: "Prefix", backend }),
      [`spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": must not contain '//'`, `spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": cannot end with '/..'`],
    ],
    ["an empty http rule", { ...kubectlCreate(), spec: { rules: [{ host: "foo.com", http: { paths: [] } }] } }, ["spec.rules[0].http.paths: Required value"]],
    ["an IP as host", { ...kubectlCreate(), spec: { rules: [{ host: "10.0.0.1" }] } }, ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
    ["an upper-case host", { ...kubectlCreate(), spec: { rules: [{ host: "Foo.com" }] } }, [`spec.rules[0].host: Invalid value: "Foo.com": ${DNS_SUBDOMAIN_MSG}`]],
    [
      "a bad wildcard host",
      { ...kubectlCreate(), spec: { rules: [{ host: "*foo.com" }] } },
      [
        `spec.rules[0].host: Invalid value: "*foo.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    ["a backend with neither service nor resource", withPath({ path: "/", pathType: "Prefix", backend: {} }), ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']],
    [
      "a backend with both",
      withPath({ path: "/", pathType: "Prefix", backend: { ...backend, resource: { kind: "Bucket", name: "b" } } }),
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends'],
    ],
    ["a service backend without a port", withPath({ path: "/", pathType: "Prefix", backend: { service: { name: "svc1" } } }), ["spec.rules[0].http.paths[0].backend: Required value: port name or number is required"]],
    [
      "a service port by name and number",
      withPath({ path: "/", pathType: "Prefix", backend: { service: { name: "svc1", port: { name: "http", number: 80 } } } }),
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      "a service name that is no DNS-1035 label",
      withPath({ path: "/", pathType: "Prefix", backend: { service: { name: "1svc", port: { number: 70000 } } } }),
      [
        `spec.rules[0].http.paths[0].backend.service.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
        "spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive",
      ],
    ],
    ["a resource backend without kind", withPath({ path: "/", pathType: "Prefix", backend: { resource: { apiGroup: "k8s.example.com", name: "b" } } }), ["spec.rules[0].http.paths[0].backend.resource.kind: Required value"]],
    [
      "a TLS secret that cannot be a Secret name",
      { ...kubectlCreate(), spec: { ...(kubectlCreate().spec as object), tls: [{ hosts: ["foo.com"], secretName: "My_Cert" }] } },
      [`spec.tls[0].secretName: Invalid value: "My_Cert": ${DNS_SUBDOMAIN_MSG}`],
    ],
    [
      "a class annotation that disagrees with ingressClassName",
      { ...kubectlCreate(), metadata: { name: "simple", annotations: { "kubernetes.io/ingress.class": "nginx" } }, spec: { ...(kubectlCreate().spec as object), ingressClassName: "traefik" } },
      ['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified'],
    ],
  ])("rejects %s", (_, input, messages) => {
    expect(create(def, input).errors).toEqual(messages);
  });

  test("ImplementationSpecific paths may be empty; wildcard hosts are fine", () => {
    expect(create(def, withPath({ pathType: "ImplementationSpecific", backend })).errors).toEqual([]);
    expect(create(def, { ...kubectlCreate(), spec: { rules: [{ host: "*.foo.com", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }] } }).errors).toEqual([]);
  });

  test("the deprecated class annotation without ingressClassName draws upstream's warning", () => {
    const annotated = { ...kubectlCreate(), metadata: { name: "simple", annotations: { "kubernetes.io/ingress.class": "nginx" } } };
    expect(def.strategy?.warnings?.(annotated)).toEqual([`annotation "kubernetes.io/ingress.class" is deprecated, please use 'spec.ingressClassName' instead`]);
    expect(def.strategy?.warnings?.(kubectlCreate())).toEqual([]);
  });
});

describe("ingresses: update", () => {
  test("status is kept from storage; the class annotation may then disagree (no check on update)", () => {
    const stored: KubeObject = { ...create(def, kubectlCreate()).obj, status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } };
    const next = { ...stored, metadata: { ...stored.metadata, annotations: { "kubernetes.io/ingress.class": "x" } }, spec: { ...(stored.spec as object), ingressClassName: "y" }, status: {} };
    const { obj, errors } = update(def, next, stored);
    expect(errors).toEqual([]);
    expect(obj.status).toEqual({ loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } });
  });

  test("a stored invalid TLS secret name keeps being accepted; a new one is refused", () => {
    const legacy = { ...kubectlCreate(), spec: { ...(kubectlCreate().spec as object), tls: [{ secretName: "Legacy_Cert" }] } };
    const stored = create(def, legacy).obj;
    expect(update(def, stored, stored).errors).toEqual([]);
    const clean = create(def, kubectlCreate()).obj;
    expect(update(def, legacy, clean).errors).toEqual([`spec.tls[0].secretName: Invalid value: "Legacy_Cert": ${DNS_SUBDOMAIN_MSG}`]);
  });
});

describe("ingresses: table", () => {
  test("NAME CLASS HOSTS ADDRESS PORTS AGE", () => {
    const obj = {
      ...kubectlCreate(),
      metadata: { name: "simple", creationTimestamp: new Date(NOW - 30_000).toISOString() },
      status: { loadBalancer: { ingress: [{ ip: "10.0.0.9" }, { hostname: "lb.example.com" }, { ip: "10.0.0.2" }, { ip: "10.0.0.9" }] } },
    };
    expect(cells(def, obj)).toEqual({ Name: "simple", Class: "<none>", Hosts: "foo.com", Address: "10.0.0.2,10.0.0.9,lb.example.com", Ports: "80, 443", Age: "30s" });
    expect(cells(def, { ...obj, spec: { ingressClassName: "nginx", defaultBackend: backend }, status: {} })).toMatchObject({ Class: "nginx", Hosts: "*", Address: "", Ports: "80" });
  });

  test("hosts: three at most, then a count over all rules", () => {
    expect(formatHosts([{ host: "a" }, { host: "b" }, { host: "c" }])).toBe("a,b,c");
    expect(formatHosts([{ host: "a" }, {}, { host: "b" }, { host: "c" }, { host: "d" }])).toBe("a,b,c + 2 more...");
    expect(formatHosts([{}, {}])).toBe("*");
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "networking.k8s.io", plural: "ingresses", shortNames: ["ing"], namespaced: true, statusSubresource: true, tracksGeneration: true });
    expect(def.categories).toBeUndefined();
  });
});
