/**
 * The default ClusterRoles of a fresh Kubernetes 1.32 cluster (upstream's bootstrap policy,
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as data. Rules are written in a short form
 * here and normalised by bootstrap.ts the way upstream's rule builder does (sorted, deduplicated).
 * The controller roles (system:controller:*) are in controller-roles.ts. k3s's and kts's own
 * roles and bindings follow upstream's.
 */

/** One rule: verbs on resources of API groups (optionally by name), or on non-resource URLs. */
export interface RuleSpec {
  verbs: string[];
  groups?: string[];
  resources?: string[];
  names?: string[];
  urls?: string[];
}

export interface ClusterRoleSpec {
  name: string;
  rules?: RuleSpec[];
  /** Extra labels (the aggregation labels) besides kubernetes.io/bootstrapping. */
  labels?: Record<string, string>;
  /** matchLabels of the aggregationRule's single selector; such roles start with `rules: null`. */
  aggregateFrom?: Record<string, string>;
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [...READ, ...WRITE];
const EVENTS_WRITE = { verbs: ["create", "patch", "update"], groups: ["", "events.k8s.io"], resources: ["events"] };

const AGGREGATE_TO = (role: "admin" | "edit" | "view") => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" });

/** A rule on resources of one or more groups ("" is the core group). */
function res(verbs: string[], groups: string[], resources: string[], names?: string[]): RuleSpec {
  return names ? { verbs, groups, resources, names } : { verbs, groups, resources };
}

function urls(verbs: string[], list: string[]): RuleSpec {
  return { verbs, urls: list };
}

const approver = (signer: string): ClusterRoleSpec => ({
  name: `system:certificates.k8s.io:${signer}-approver`,
  rules: [res(["approve"], ["certificates.k8s.io"], ["signers"], [`kubernetes.io/${signer}`])],
});

const leaderElection = (lease: string): RuleSpec[] => [
  res(["create"], ["coordination.k8s.io"], ["leases"]),
  res(["get", "update"], ["coordination.k8s.io"], ["leases"], [lease]),
];

const aggregateToEdit: RuleSpec[] = [
  res(READ, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
  res(["impersonate"], [""], ["serviceaccounts"]),
  res(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
  res(["create"], [""], ["pods/eviction"]),
  res(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
  res(["create"], [""], ["serviceaccounts/token"]),
  res(WRITE, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "replicasets", "replicasets/scale"]),
  res(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
  res(WRITE, ["batch"], ["jobs", "cronjobs"]),
  res(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"]),
  res(WRITE, ["policy"], ["poddisruptionbudgets"]),
  res(WRITE, ["networking.k8s.io"], ["networkpolicies", "ingresses"]),
  res(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
];

const aggregateToView: RuleSpec[] = [
  res(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"]),
  res(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"]),
  res(READ, [""], ["namespaces"]),
  res(READ, ["discovery.k8s.io"], ["endpointslices"]),
  res(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"]),
  res(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
  res(READ, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
  res(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale", "networkpolicies"]),
  res(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
  res(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
];

const kubeControllerManager: RuleSpec[] = [
  EVENTS_WRITE,
  ...leaderElection("kube-controller-manager"),
  // Its service-account credentials: tokens and the accounts themselves.
  res(["create"], [""], ["secrets", "serviceaccounts"]),
  res(["delete"], [""], ["secrets"]),
  res(["get"], [""], ["namespaces", "secrets", "serviceaccounts", "configmaps"]),
  res(["update"], [""], ["secrets", "serviceaccounts"]),
  res(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  res(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  // Shared informers watch everything.
  res(["list", "watch"], ["*"], ["*"]),
  res(["create"], [""], ["serviceaccounts/token"]),
];

const kubeScheduler: RuleSpec[] = [
  EVENTS_WRITE,
  ...leaderElection("kube-scheduler"),
  res(READ, [""], ["nodes"]),
  res(["get", "list", "watch", "delete"], [""], ["pods"]),
  res(["create"], [""], ["pods/binding", "bindings"]),
  res(["patch", "update"], [""], ["pods/status"]),
  res(READ, [""], ["replicationcontrollers", "services"]),
  res(READ, ["apps", "extensions"], ["replicasets"]),
  res(READ, ["apps"], ["statefulsets"]),
  res(READ, ["policy"], ["poddisruptionbudgets"]),
  res(READ, [""], ["persistentvolumeclaims", "persistentvolumes"]),
  res(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  res(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  res(READ, ["storage.k8s.io"], ["csinodes"]),
  res(READ, [""], ["namespaces"]),
  res(READ, ["storage.k8s.io"], ["csidrivers"]),
  res(READ, ["storage.k8s.io"], ["csistoragecapacities"]),
];

/** The system:node role's rules: what the Node authorizer grants nodes beyond its graph (upstream's NodeRules). */
export const node: RuleSpec[] = [
  res(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  res(["create"], ["authorization.k8s.io"], ["subjectaccessreviews", "localsubjectaccessreviews"]),
  res(READ, [""], ["services"]),
  res(["create", "get", "list", "watch"], [""], ["nodes"]),
  res(["update", "patch"], [""], ["nodes/status"]),
  res(["update", "patch"], [""], ["nodes"]),
  res(["create", "update", "patch"], [""], ["events"]),
  res(READ, [""], ["pods"]),
  // Mirror pods of static pods.
  res(["create", "delete"], [""], ["pods"]),
  res(["update", "patch"], [""], ["pods/status"]),
  res(["create"], [""], ["pods/eviction"]),
  res(READ, [""], ["secrets", "configmaps"]),
  res(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  res(["get"], [""], ["endpoints"]),
  res(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
  res(["get", "create", "update", "patch", "delete"], ["coordination.k8s.io"], ["leases"]),
  res(["get"], ["storage.k8s.io"], ["volumeattachments"]),
  res(["create"], [""], ["serviceaccounts/token"]),
  res(["get", "update", "patch"], [""], ["persistentvolumeclaims/status"]),
  res(READ, ["storage.k8s.io"], ["csidrivers"]),
  res(["get", "create", "update", "patch", "delete"], ["storage.k8s.io"], ["csinodes"]),
  res(READ, ["node.k8s.io"], ["runtimeclasses"]),
];

export const BOOTSTRAP_CLUSTER_ROLES: ClusterRoleSpec[] = [
  { name: "admin", aggregateFrom: AGGREGATE_TO("admin") },
  { name: "cluster-admin", rules: [res(["*"], ["*"], ["*"]), urls(["*"], ["*"])] },
  { name: "edit", labels: AGGREGATE_TO("admin"), aggregateFrom: AGGREGATE_TO("edit") },
  {
    name: "system:aggregate-to-admin",
    labels: AGGREGATE_TO("admin"),
    rules: [res(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]), res(READ_WRITE, ["rbac.authorization.k8s.io"], ["roles", "rolebindings"])],
  },
  { name: "system:aggregate-to-edit", labels: AGGREGATE_TO("edit"), rules: aggregateToEdit },
  { name: "system:aggregate-to-view", labels: AGGREGATE_TO("view"), rules: aggregateToView },
  {
    name: "system:auth-delegator",
    rules: [res(["create"], ["authentication.k8s.io"], ["tokenreviews"]), res(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])],
  },
  {
    name: "system:basic-user",
    rules: [res(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]), res(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])],
  },
  {
    name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    rules: [res(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"])],
  },
  {
    name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    rules: [res(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"])],
  },
  approver("kube-apiserver-client"),
  approver("kube-apiserver-client-kubelet"),
  approver("kubelet-serving"),
  approver("legacy-unknown"),
  {
    name: "system:discovery",
    rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/", "/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*"])],
  },
  {
    name: "system:heapster",
    rules: [res(READ, [""], ["events", "pods", "nodes", "namespaces"]), res(READ, ["extensions"], ["deployments"])],
  },
  { name: "system:kube-aggregator", rules: [res(READ, [""], ["endpoints", "services"])] },
  { name: "system:kube-controller-manager", rules: kubeControllerManager },
  { name: "system:kube-dns", rules: [res(["list", "watch"], [""], ["endpoints", "services"])] },
  { name: "system:kube-scheduler", rules: kubeScheduler },
  {
    name: "system:kubelet-api-admin",
    rules: [res(READ, [""], ["nodes"]), res(["proxy"], [""], ["nodes"]), res(["*"], [""], ["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"])],
  },
  {
    name: "system:monitoring",
    rules: [urls(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*", "/metrics", "/metrics/slis"])],
  },
  { name: "system:node", rules: node },
  { name: "system:node-bootstrapper", rules: [res(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])] },
  {
    name: "system:node-problem-detector",
    rules: [res(["get"], [""], ["nodes"]), res(["patch"], [""], ["nodes/status"]), EVENTS_WRITE],
  },
  {
    name: "system:node-proxier",
    rules: [res(["list", "watch"], [""], ["services", "endpoints"]), res(READ, [""], ["nodes"]), EVENTS_WRITE, res(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])],
  },
  {
    name: "system:persistent-volume-provisioner",
    rules: [
      res(["get", "list", "watch", "create", "delete"], [""], ["persistentvolumes"]),
      res(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
      res(READ, ["storage.k8s.io"], ["storageclasses"]),
      res(["watch"], [""], ["events"]),
      EVENTS_WRITE,
    ],
  },
  { name: "system:public-info-viewer", rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])] },
  { name: "system:service-account-issuer-discovery", rules: [urls(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"])] },
  {
    name: "system:volume-scheduler",
    rules: [
      res(["get", "list", "watch", "update", "patch"], [""], ["persistentvolumes"]),
      res(READ, ["storage.k8s.io"], ["storageclasses"]),
      res(["get", "list", "watch", "update", "patch"], [""], ["persistentvolumeclaims"]),
    ],
  },
  { name: "view", labels: AGGREGATE_TO("edit"), aggregateFrom: AGGREGATE_TO("view") },
  // k3s ships CoreDNS with this role (its coredns manifest).
  {
    name: "system:coredns",
    rules: [res(["list", "watch"], [""], ["endpoints", "services", "pods", "namespaces"]), res(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])],
  },
];

/** Default ClusterRoleBindings: who gets each role. The system:node binding has no subjects (the Node authorizer took over). */
export interface BindingSpec {
  name: string;
  /** The ClusterRole bound, when it is not the binding's name. */
  role?: string;
  groups?: string[];
  users?: string[];
  serviceAccounts?: Array<{ namespace: string; name: string }>;
}

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: BindingSpec[] = [
  { name: "cluster-admin", groups: ["system:masters"] },
  { name: "system:monitoring", groups: ["system:monitoring"] },
  { name: "system:discovery", groups: ["system:authenticated"] },
  { name: "system:basic-user", groups: ["system:authenticated"] },
  { name: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"] },
  { name: "system:node-proxier", users: ["system:kube-proxy"] },
  { name: "system:kube-controller-manager", users: ["system:kube-controller-manager"] },
  { name: "system:kube-dns", serviceAccounts: [{ namespace: "kube-system", name: "kube-dns" }] },
  { name: "system:kube-scheduler", users: ["system:kube-scheduler"] },
  { name: "system:volume-scheduler", users: ["system:kube-scheduler"] },
  { name: "system:node" },
  { name: "system:service-account-issuer-discovery", groups: ["system:serviceaccounts"] },
  { name: "system:coredns", serviceAccounts: [{ namespace: "kube-system", name: "coredns" }] },
  // kts's node joining (kubeadm's kubelet-bootstrap and node-autoapprove bindings): a bootstrap
  // identity may request a node client certificate and have it approved; a node may renew its own.
  { name: "kts:kubelet-bootstrap", role: "system:node-bootstrapper", groups: ["system:bootstrappers"] },
  { name: "kts:node-autoapprove-bootstrap", role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient", groups: ["system:bootstrappers"] },
  { name: "kts:node-autoapprove-certificate-rotation", role: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", groups: ["system:nodes"] },
];
