/**
 * networking.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api networking/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const NETWORKING_V1: GroupSchema = {
  group: "networking.k8s.io",
  version: "v1",
  kinds: [
    "Ingress", "IngressList", "IngressClass", "IngressClassList", "NetworkPolicy", "NetworkPolicyList",
  ],
  messages: {
    HTTPIngressPath: { path: [1, "string"], pathType: [3, "*string", "always"], backend: [2, "IngressBackend", "always"] },
    HTTPIngressRuleValue: { paths: [1, "[]HTTPIngressPath", "always"] },
    IPBlock: { cidr: [1, "string", "always"], except: [2, "[]string"] },
    Ingress: { metadata: [1, "meta.ObjectMeta"], spec: [2, "IngressSpec"], status: [3, "IngressStatus"] },
    IngressBackend: { service: [4, "*IngressServiceBackend"], resource: [3, "*core.TypedLocalObjectReference"] },
    IngressClass: { metadata: [1, "meta.ObjectMeta"], spec: [2, "IngressClassSpec"] },
    IngressClassList: { metadata: [1, "meta.ListMeta"], items: [2, "[]IngressClass", "always"] },
    IngressClassParametersReference: {
      apiGroup: [1, "*string"], kind: [2, "string", "always"], name: [3, "string", "always"], scope: [4, "*string", "always"],
      namespace: [5, "*string"],
    },
    IngressClassSpec: { controller: [1, "string"], parameters: [2, "*IngressClassParametersReference"] },
    IngressList: { metadata: [1, "meta.ListMeta"], items: [2, "[]Ingress", "always"] },
    IngressLoadBalancerIngress: { ip: [1, "string"], hostname: [2, "string"], ports: [4, "[]IngressPortStatus"] },
    IngressLoadBalancerStatus: { ingress: [1, "[]IngressLoadBalancerIngress"] },
    IngressPortStatus: { port: [1, "int32", "always"], protocol: [2, "string", "always"], error: [3, "*string"] },
    IngressRule: { host: [1, "string"], ingressRuleValue: [2, "IngressRuleValue", "inline"] },
    IngressRuleValue: { http: [1, "*HTTPIngressRuleValue"] },
    IngressServiceBackend: { name: [1, "string", "always"], port: [2, "ServiceBackendPort"] },
    IngressSpec: {
      ingressClassName: [4, "*string"], defaultBackend: [1, "*IngressBackend"], tls: [2, "[]IngressTLS"],
      rules: [3, "[]IngressRule"],
    },
    IngressStatus: { loadBalancer: [1, "IngressLoadBalancerStatus"] },
    IngressTLS: { hosts: [1, "[]string"], secretName: [2, "string"] },
    NetworkPolicy: { metadata: [1, "meta.ObjectMeta"], spec: [2, "NetworkPolicySpec"] },
    NetworkPolicyEgressRule: { ports: [1, "[]NetworkPolicyPort"], to: [2, "[]NetworkPolicyPeer"] },
    NetworkPolicyIngressRule: { ports: [1, "[]NetworkPolicyPort"], from: [2, "[]NetworkPolicyPeer"] },
    NetworkPolicyList: { metadata: [1, "meta.ListMeta"], items: [2, "[]NetworkPolicy", "always"] },
    NetworkPolicyPeer: {
      podSelector: [1, "*meta.LabelSelector"], namespaceSelector: [2, "*meta.LabelSelector"], ipBlock: [3, "*IPBlock"],
    },
    NetworkPolicyPort: { protocol: [1, "*string"], port: [2, "*IntOrString"], endPort: [3, "*int32"] },
    NetworkPolicySpec: {
      podSelector: [1, "meta.LabelSelector", "always"], ingress: [2, "[]NetworkPolicyIngressRule"],
      egress: [3, "[]NetworkPolicyEgressRule"], policyTypes: [4, "[]string"],
    },
    ServiceBackendPort: { name: [1, "string"], number: [2, "int32"] },
  },
};
