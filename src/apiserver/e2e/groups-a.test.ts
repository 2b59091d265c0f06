/**
 * Real kubectl 1.32 against a real `kts server`: the rbac, networking, storage, scheduling, node
 * and discovery groups, as kubectl sees them (apply, get tables, api-resources, the create
 * generators, which send protobuf, and validation errors).
 */
import { describe, expect, test } from "bun:test";
import { serverForFile } from "./fixtures.ts";

const { s } = serverForFile();

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata: {name: ga}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: ga}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "monitoring:aggregate"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: ga}
roleRef: {kind: Role, name: pod-reader}
subjects:
- {kind: User, name: jane}
- {kind: ServiceAccount, name: robot, namespace: ga}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: devs-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: Group, name: devs}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ga}
spec:
  ingressClassName: nginx
  tls:
  - {hosts: [shop.example.com], secretName: shop-tls}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: ga}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 80}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: hostpath.csi.k8s.io}
spec: {podInfoOnMount: true}
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata: {name: node1}
spec:
  drivers:
  - {name: hostpath.csi.k8s.io, nodeID: node1}
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata: {name: csi-0123}
spec:
  attacher: hostpath.csi.k8s.io
  nodeName: node1
  source: {persistentVolumeName: pv-1}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch-low}
value: 100
description: batch jobs
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
overhead: {podFixed: {cpu: "0.25"}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abcde
  namespace: ga
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.42.0.5]
- addresses: [10.42.0.6]
ports:
- {name: http, port: 80}
`;

/** A table row: the cells separated by kubectl's column padding. */
const row = (...cells: string[]) => new RegExp(`(^|\\n)${cells.join("\\s+")}\\s*(\\n|$)`);

describe("apply and get", () => {
  test("apply -f creates one object of every type", async () => {
    const out = await s.kubectl(["apply", "-f", "-"], { stdin: MANIFEST });
    expect(out.stderr).toBe("");
    expect(out.stdout.trim().split("\n")).toEqual([
      "namespace/ga created",
      "role.rbac.authorization.k8s.io/pod-reader created",
      "clusterrole.rbac.authorization.k8s.io/monitoring:aggregate created",
      "rolebinding.rbac.authorization.k8s.io/read-pods created",
      "clusterrolebinding.rbac.authorization.k8s.io/devs-view created",
      "ingressclass.networking.k8s.io/nginx created",
      "ingress.networking.k8s.io/web created",
      "networkpolicy.networking.k8s.io/allow-web created",
      "storageclass.storage.k8s.io/local-path created",
      "csidriver.storage.k8s.io/hostpath.csi.k8s.io created",
      "csinode.storage.k8s.io/node1 created",
      "volumeattachment.storage.k8s.io/csi-0123 created",
      "priorityclass.scheduling.k8s.io/batch-low created",
      "runtimeclass.node.k8s.io/gvisor created",
      "endpointslice.discovery.k8s.io/web-abcde created",
    ]);
    expect((await s.kubectl(["apply", "-f", "-"], { stdin: MANIFEST })).stdout).toContain("ingress.networking.k8s.io/web unchanged");
  });

  test("rbac tables: roles print CREATED AT, bindings ROLE and (wide) their subjects", async () => {
    expect(await s.k("get", "roles", "-n", "ga")).toMatch(/^NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    expect(await s.k("get", "clusterrole", "monitoring:aggregate")).toMatch(/^NAME\s+CREATED AT\nmonitoring:aggregate\s+\d{4}-/);
    expect(await s.k("get", "rolebindings", "-n", "ga")).toMatch(/^NAME\s+ROLE\s+AGE\nread-pods\s+Role\/pod-reader\s+\d+s\n$/);
    const wide = await s.k("get", "rolebinding", "read-pods", "-n", "ga", "-o", "wide");
    expect(wide).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\n/);
    expect(wide).toMatch(row("read-pods", "Role/pod-reader", "\\d+s", "jane", "ga/robot"));
    expect(await s.k("get", "clusterrolebinding", "devs-view", "-o", "wide")).toMatch(row("devs-view", "ClusterRole/view", "\\d+s", "devs"));
  });

  test("rbac objects are stored with upstream's defaults", async () => {
    const binding = JSON.parse(await s.k("get", "rolebinding", "read-pods", "-n", "ga", "-o", "json"));
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" });
    expect(binding.subjects[0]).toEqual({ kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" });
    expect(await s.k("get", "clusterrole", "monitoring:aggregate", "-o", "yaml")).toContain("rules: null");
  });

  test("networking tables", async () => {
    const ing = await s.k("get", "ing", "-n", "ga");
    expect(ing).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
    expect(ing).toMatch(row("web", "nginx", "shop.example.com", "80, 443", "\\d+s"));
    expect(await s.k("get", "ingressclass")).toMatch(/^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nnginx\s+k8s\.io\/ingress-nginx\s+IngressParameters\.k8s\.example\.com\/external-lb\s+\d+s\n$/);
    expect(await s.k("get", "netpol", "-n", "ga")).toMatch(/^NAME\s+POD-SELECTOR\s+AGE\nallow-web\s+app=web\s+\d+s\n$/);
    const ingress = JSON.parse(await s.k("get", "ing", "web", "-n", "ga", "-o", "json"));
    expect(ingress.status).toEqual({ loadBalancer: {} });
    expect(ingress.metadata.generation).toBe(1);
    const policy = JSON.parse(await s.k("get", "netpol", "allow-web", "-n", "ga", "-o", "json"));
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 80, protocol: "TCP" }]);
  });

  test("storage tables: the default class is marked in the NAME column", async () => {
    const sc = await s.k("get", "sc");
    expect(sc).toMatch(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/);
    expect(sc).toMatch(row("local-path \\(default\\)", "rancher\\.io\\/local-path", "Delete", "WaitForFirstConsumer", "false", "\\d+s"));
    const drivers = await s.k("get", "csidrivers");
    expect(drivers).toMatch(/^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE\n/);
    expect(drivers).toMatch(row("hostpath\\.csi\\.k8s\\.io", "true", "true", "false", "<unset>", "false", "Persistent", "\\d+s"));
    expect(await s.k("get", "csinodes")).toMatch(/^NAME\s+DRIVERS\s+AGE\nnode1\s+1\s+\d+s\n$/);
    expect(await s.k("get", "volumeattachments")).toMatch(/^NAME\s+ATTACHER\s+PV\s+NODE\s+ATTACHED\s+AGE\ncsi-0123\s+hostpath\.csi\.k8s\.io\s+pv-1\s+node1\s+false\s+\d+s\n$/);
  });

  test("scheduling, node and discovery tables", async () => {
    expect(await s.k("get", "pc", "batch-low")).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\nbatch-low\s+100\s+false\s+\d+s\s+PreemptLowerPriority\n$/);
    expect(await s.k("get", "runtimeclass")).toMatch(/^NAME\s+HANDLER\s+AGE\ngvisor\s+runsc\s+\d+s\n$/);
    expect(await s.k("get", "runtimeclass", "gvisor", "-o", "jsonpath={.overhead.podFixed.cpu}")).toBe("250m");
    expect(await s.k("get", "endpointslices", "-n", "ga")).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\nweb-abcde\s+IPv4\s+80\s+10\.42\.0\.5,10\.42\.0\.6\s+\d+s\n$/);
    const slice = JSON.parse(await s.k("get", "endpointslice", "web-abcde", "-n", "ga", "-o", "json"));
    expect(slice.ports).toEqual([{ name: "http", port: 80, protocol: "TCP" }]);
    expect(slice.endpoints[0].conditions).toEqual({});
  });
});

test("api-resources lists each group's resources with upstream's short names", async () => {
  const lines = async (group: string) => (await s.k("api-resources", `--api-group=${group}`, "--no-headers")).trim().split("\n");
  expect(await lines("rbac.authorization.k8s.io")).toEqual([
    expect.stringMatching(/^clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding$/),
    expect.stringMatching(/^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole$/),
    expect.stringMatching(/^rolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+RoleBinding$/),
    expect.stringMatching(/^roles\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+Role$/),
  ]);
  expect(await lines("networking.k8s.io")).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^ingressclasses\s+networking\.k8s\.io\/v1\s+false\s+IngressClass$/),
      expect.stringMatching(/^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/),
      expect.stringMatching(/^networkpolicies\s+netpol\s+networking\.k8s\.io\/v1\s+true\s+NetworkPolicy$/),
    ]),
  );
  expect(await lines("storage.k8s.io")).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^csidrivers\s+storage\.k8s\.io\/v1\s+false\s+CSIDriver$/),
      expect.stringMatching(/^csinodes\s+storage\.k8s\.io\/v1\s+false\s+CSINode$/),
      expect.stringMatching(/^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/),
      expect.stringMatching(/^volumeattachments\s+storage\.k8s\.io\/v1\s+false\s+VolumeAttachment$/),
    ]),
  );
  expect(await lines("scheduling.k8s.io")).toEqual([expect.stringMatching(/^priorityclasses\s+pc\s+scheduling\.k8s\.io\/v1\s+false\s+PriorityClass$/)]);
  expect(await lines("node.k8s.io")).toEqual([expect.stringMatching(/^runtimeclasses\s+node\.k8s\.io\/v1\s+false\s+RuntimeClass$/)]);
  expect(await lines("discovery.k8s.io")).toEqual([expect.stringMatching(/^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/)]);
});

describe("kubectl create generators (protobuf bodies)", () => {
  test("role and rolebinding", async () => {
    expect(await s.k("create", "role", "cm-editor", "-n", "ga", "--verb=get,update", "--resource=configmaps", "--resource-name=settings")).toBe("role.rbac.authorization.k8s.io/cm-editor created\n");
    const role = JSON.parse(await s.k("get", "role", "cm-editor", "-n", "ga", "-o", "json"));
    expect(role.rules).toEqual([{ verbs: ["get", "update"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"] }]);
    expect(await s.k("create", "rolebinding", "cm-editors", "-n", "ga", "--role=cm-editor", "--user=bob", "--group=ops", "--serviceaccount=ga:ci")).toBe(
      "rolebinding.rbac.authorization.k8s.io/cm-editors created\n",
    );
    const binding = JSON.parse(await s.k("get", "rolebinding", "cm-editors", "-n", "ga", "-o", "json"));
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-editor" });
    expect(binding.subjects).toEqual([
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "ops" },
      { kind: "ServiceAccount", name: "ci", namespace: "ga" },
    ]);
  });

  test("clusterrole (resources, non-resource URLs, aggregation) and clusterrolebinding", async () => {
    expect(await s.k("create", "clusterrole", "health-reader", "--verb=get", "--non-resource-url=/healthz", "--non-resource-url=/livez")).toBe(
      "clusterrole.rbac.authorization.k8s.io/health-reader created\n",
    );
    expect(JSON.parse(await s.k("get", "clusterrole", "health-reader", "-o", "jsonpath={.rules}"))).toEqual([{ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez"] }]);
    expect(await s.k("create", "clusterrole", "monitoring", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true")).toBe("clusterrole.rbac.authorization.k8s.io/monitoring created\n");
    expect(JSON.parse(await s.k("get", "clusterrole", "monitoring", "-o", "jsonpath={.aggregationRule}"))).toEqual({
      clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }],
    });
    expect(await s.k("create", "clusterrolebinding", "health", "--clusterrole=health-reader", "--group=system:authenticated")).toBe(
      "clusterrolebinding.rbac.authorization.k8s.io/health created\n",
    );
    expect(await s.k("get", "clusterrolebinding", "health")).toMatch(row("health", "ClusterRole/health-reader", "\\d+s"));
  });

  test("ingress", async () => {
    expect(await s.k("create", "ingress", "simple", "-n", "ga", "--class=nginx", "--rule=foo.com/bar*=svc1:8080,tls=my-cert")).toBe("ingress.networking.k8s.io/simple created\n");
    const ing = JSON.parse(await s.k("get", "ing", "simple", "-n", "ga", "-o", "json"));
    expect(ing.spec).toEqual({
      ingressClassName: "nginx",
      rules: [{ host: "foo.com", http: { paths: [{ path: "/bar", pathType: "Prefix", backend: { service: { name: "svc1", port: { number: 8080 } } } }] } }],
      tls: [{ hosts: ["foo.com"], secretName: "my-cert" }],
    });
  });

  test("priorityclass", async () => {
    expect(await s.k("create", "priorityclass", "high", "--value=1000", "--description=high priority", "--preemption-policy=Never")).toBe(
      "priorityclass.scheduling.k8s.io/high created\n",
    );
    expect(await s.k("get", "pc", "high")).toMatch(row("high", "1000", "false", "\\d+s", "Never"));
  });
});

describe("validation errors", () => {
  test("a binding's roleRef cannot change", async () => {
    const r = await s.kubectl(["patch", "rolebinding", "read-pods", "-n", "ga", "--type=merge", "-p", '{"roleRef":{"name":"cm-editor"}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'The RoleBinding "read-pods" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"cm-editor"}: cannot change roleRef',
    );
  });

  test("system- priority classes are reserved; user values are capped", async () => {
    const reserved = await s.kubectl(["create", "priorityclass", "system-mine", "--value=10"]);
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toContain(
      `error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`,
    );
    const tooHigh = await s.kubectl(["create", "priorityclass", "huge", "--value=2000000000"]);
    expect(tooHigh.stderr).toContain('PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  });

  test("an ingress path needs a pathType; a storage class keeps its parameters", async () => {
    const ingress = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: broken, namespace: ga}
spec:
  rules:
  - http:
      paths:
      - {path: /, backend: {service: {name: web, port: {number: 80}}}}
`;
    const r = await s.kubectl(["apply", "-f", "-"], { stdin: ingress });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Ingress "broken" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
    const sc = await s.kubectl(["patch", "sc", "local-path", "--type=merge", "-p", '{"parameters":{"a":"b"},"volumeBindingMode":"Immediate"}']);
    expect(sc.code).toBe(1);
    expect(sc.stderr).toContain(
      'The StorageClass "local-path" is invalid: \n* parameters: Forbidden: updates to parameters are forbidden.\n* volumeBindingMode: Invalid value: "Immediate": field is immutable',
    );
  });
});
