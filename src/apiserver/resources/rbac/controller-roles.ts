/**
 * The controllers' roles (upstream's bootstrappolicy controller_policy: system:controller:<name>,
 * each bound to the kube-system ServiceAccount <name> that kube-controller-manager runs that
 * controller as with --use-service-account-credentials), for the controllers kts runs or may run,
 * and the namespaced roles of the bootstrap policy (leader locking, bootstrap signing, token cleaning).
 */
import type { ClusterRoleSpec, RuleSpec } from "./bootstrap-roles.ts";

const READ = ["get", "list", "watch"];
const EVENTS: RuleSpec = { verbs: ["create", "patch", "update"], groups: ["", "events.k8s.io"], resources: ["events"] };
const r = (verbs: string[], groups: string[], resources: string[], names?: string[]): RuleSpec => (names ? { verbs, groups, resources, names } : { verbs, groups, resources });

/** Controller service account name → its rules (the role is system:controller:<name>). */
export const CONTROLLER_ROLES: Record<string, RuleSpec[]> = {
  "attachdetach-controller": [
    r(["list", "watch"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
    r(READ, [""], ["nodes"]),
    r(["patch", "update"], [""], ["nodes/status"]),
    r(["list", "watch"], [""], ["pods"]),
    EVENTS,
    r(["create", "delete", "get", "list", "watch"], ["storage.k8s.io"], ["volumeattachments"]),
    r(READ, ["storage.k8s.io"], ["csidrivers"]),
    r(READ, ["storage.k8s.io"], ["csinodes"]),
  ],
  "certificate-controller": [
    r(["delete", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
    r(["update"], ["certificates.k8s.io"], ["certificatesigningrequests/approval", "certificatesigningrequests/status"]),
    // kts's approver also approves nodes' requests for the kube-proxy client certificate (kube-apiserver-client).
    r(["approve"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet"]),
    r(["sign"], ["certificates.k8s.io"], ["signers"], ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
    r(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
    EVENTS,
  ],
  "clusterrole-aggregation-controller": [r(["escalate", "get", "list", "patch", "update", "watch"], ["rbac.authorization.k8s.io"], ["clusterroles"])],
  "cronjob-controller": [
    r(["get", "list", "update", "watch"], ["batch"], ["cronjobs"]),
    r(["create", "delete", "get", "list", "patch", "update", "watch"], ["batch"], ["jobs"]),
    r(["update"], ["batch"], ["cronjobs/status"]),
    r(["update"], ["batch"], ["cronjobs/finalizers"]),
    r(["delete", "list", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "daemon-set-controller": [
    r(READ, ["apps", "extensions"], ["daemonsets"]),
    r(["update"], ["apps", "extensions"], ["daemonsets/status"]),
    r(["update"], ["apps", "extensions"], ["daemonsets/finalizers"]),
    r(["list", "watch"], [""], ["nodes"]),
    r(["create", "delete", "list", "patch", "watch"], [""], ["pods"]),
    r(["create"], [""], ["pods/binding"]),
    r(["create", "delete", "get", "list", "patch", "update", "watch"], ["apps"], ["controllerrevisions"]),
    EVENTS,
  ],
  "deployment-controller": [
    r(["get", "list", "update", "watch"], ["apps", "extensions"], ["deployments"]),
    r(["update"], ["apps", "extensions"], ["deployments/status"]),
    r(["update"], ["apps", "extensions"], ["deployments/finalizers"]),
    r(["create", "delete", "get", "list", "patch", "update", "watch"], ["apps", "extensions"], ["replicasets"]),
    r(["get", "list", "update", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "disruption-controller": [
    r(READ, ["apps", "extensions"], ["deployments"]),
    r(READ, ["apps", "extensions"], ["replicasets"]),
    r(READ, [""], ["replicationcontrollers"]),
    r(READ, ["policy"], ["poddisruptionbudgets"]),
    r(READ, ["apps"], ["statefulsets"]),
    r(["update"], ["policy"], ["poddisruptionbudgets/status"]),
    r(["patch", "update"], [""], ["pods/status"]),
    r(["get"], ["*"], ["*/scale"]),
    EVENTS,
  ],
  "endpoint-controller": [
    r(READ, [""], ["pods", "services"]),
    r(["create", "delete", "get", "list", "update", "watch"], [""], ["endpoints"]),
    r(["create"], [""], ["endpoints/restricted"]),
    EVENTS,
  ],
  "endpointslice-controller": [
    r(READ, [""], ["nodes", "pods", "services"]),
    r(["update"], [""], ["services/finalizers"]),
    r(["create", "delete", "get", "list", "update", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
    EVENTS,
  ],
  "endpointslicemirroring-controller": [
    r(READ, [""], ["endpoints", "services"]),
    r(["update"], [""], ["services/finalizers"]),
    r(["update"], [""], ["endpoints/finalizers"]),
    r(["create", "delete", "get", "list", "update", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
    EVENTS,
  ],
  "ephemeral-volume-controller": [
    r(READ, [""], ["pods"]),
    r(["update"], [""], ["pods/finalizers"]),
    r(["create", "get", "list", "watch"], [""], ["persistentvolumeclaims"]),
    EVENTS,
  ],
  "expand-controller": [
    r(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumes"]),
    r(["patch", "update"], [""], ["persistentvolumeclaims/status"]),
    r(READ, [""], ["persistentvolumeclaims"]),
    EVENTS,
  ],
  "generic-garbage-collector": [r(["delete", "get", "list", "patch", "update", "watch"], ["*"], ["*"]), EVENTS],
  "horizontal-pod-autoscaler": [
    r(READ, ["autoscaling"], ["horizontalpodautoscalers"]),
    r(["update"], ["autoscaling"], ["horizontalpodautoscalers/status"]),
    r(["get", "update"], ["*"], ["*/scale"]),
    r(["list", "watch"], [""], ["pods"]),
    r(["list", "watch"], ["metrics.k8s.io"], ["pods"]),
    r(READ, ["custom.metrics.k8s.io"], ["*"]),
    r(READ, ["external.metrics.k8s.io"], ["*"]),
    EVENTS,
  ],
  "job-controller": [
    r(["get", "list", "patch", "update", "watch"], ["batch"], ["jobs"]),
    r(["update"], ["batch"], ["jobs/status"]),
    r(["update"], ["batch"], ["jobs/finalizers"]),
    r(["create", "delete", "list", "patch", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "legacy-service-account-token-cleaner": [
    r(["get"], [""], ["configmaps"], ["kube-apiserver-legacy-service-account-token-tracking"]),
    r(["delete", "patch"], [""], ["secrets"]),
  ],
  "namespace-controller": [
    r(["delete", "get", "list", "watch"], [""], ["namespaces"]),
    r(["update"], [""], ["namespaces/finalize", "namespaces/status"]),
    r(["delete", "deletecollection", "get", "list", "watch"], ["*"], ["*"]),
  ],
  "node-controller": [
    r(["delete", "get", "list", "patch", "update", "watch"], [""], ["nodes"]),
    r(["patch", "update"], [""], ["nodes/status"]),
    r(["patch", "update"], [""], ["pods/status"]),
    r(["delete", "get", "list", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "persistent-volume-binder": [
    r(["create", "delete", "get", "list", "update", "watch"], [""], ["persistentvolumes"]),
    r(["update"], [""], ["persistentvolumes/status"]),
    r(["get", "list", "update", "watch"], [""], ["persistentvolumeclaims"]),
    r(["update"], [""], ["persistentvolumeclaims/status"]),
    r(["create", "delete", "get", "list", "watch"], [""], ["pods"]),
    r(READ, ["storage.k8s.io"], ["storageclasses"]),
    r(["list", "watch"], [""], ["nodes"]),
    EVENTS,
    r(["watch"], [""], ["events"]),
  ],
  "pod-garbage-collector": [r(["delete", "list", "watch"], [""], ["pods"]), r(READ, [""], ["nodes"]), r(["patch"], [""], ["pods/status"])],
  "pv-protection-controller": [r(["get", "list", "update", "watch"], [""], ["persistentvolumes"]), EVENTS],
  "pvc-protection-controller": [
    r(["get", "list", "update", "watch"], [""], ["persistentvolumeclaims"]),
    r(["update"], [""], ["persistentvolumeclaims/status"]),
    r(READ, [""], ["pods"]),
    EVENTS,
  ],
  "replicaset-controller": [
    r(["get", "list", "update", "watch"], ["apps", "extensions"], ["replicasets"]),
    r(["update"], ["apps", "extensions"], ["replicasets/status"]),
    r(["update"], ["apps", "extensions"], ["replicasets/finalizers"]),
    r(["create", "delete", "list", "patch", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "replication-controller": [
    r(["get", "list", "update", "watch"], [""], ["replicationcontrollers"]),
    r(["update"], [""], ["replicationcontrollers/status"]),
    r(["update"], [""], ["replicationcontrollers/finalizers"]),
    r(["create", "delete", "list", "patch", "watch"], [""], ["pods"]),
    EVENTS,
  ],
  "resourcequota-controller": [r(["list", "watch"], ["*"], ["*"]), r(["update"], [""], ["resourcequotas/status"]), EVENTS],
  "root-ca-cert-publisher": [r(["create", "update"], [""], ["configmaps"]), EVENTS],
  "route-controller": [r(["list", "watch"], [""], ["nodes"]), r(["patch"], [""], ["nodes/status"]), EVENTS],
  "service-account-controller": [r(["create"], [""], ["serviceaccounts"]), EVENTS],
  "service-controller": [r(READ, [""], ["services"]), r(["patch", "update"], [""], ["services/status"]), r(["list", "watch"], [""], ["nodes"]), EVENTS],
  "statefulset-controller": [
    r(["list", "watch"], [""], ["pods"]),
    r(READ, ["apps"], ["statefulsets"]),
    r(["update"], ["apps"], ["statefulsets/status"]),
    r(["update"], ["apps"], ["statefulsets/finalizers"]),
    r(["create", "delete", "get", "patch", "update"], [""], ["pods"]),
    r(["create", "delete", "get", "list", "patch", "update", "watch"], ["apps"], ["controllerrevisions"]),
    r(["create", "get", "list", "watch"], [""], ["persistentvolumeclaims"]),
    r(["delete", "update"], [""], ["persistentvolumeclaims"]),
    r(["update"], [""], ["pods/finalizers"]),
    EVENTS,
  ],
  "ttl-after-finished-controller": [r(["delete", "get", "list", "watch"], ["batch"], ["jobs"]), EVENTS],
  "ttl-controller": [r(["list", "patch", "update", "watch"], [""], ["nodes"]), EVENTS],
  "validatingadmissionpolicy-status-controller": [
    r(READ, ["admissionregistration.k8s.io"], ["validatingadmissionpolicies"]),
    r(["get", "patch", "update"], ["admissionregistration.k8s.io"], ["validatingadmissionpolicies/status"]),
    EVENTS,
  ],
};

export const CONTROLLER_ROLE_PREFIX = "system:controller:";

export function controllerClusterRoles(): ClusterRoleSpec[] {
  return Object.entries(CONTROLLER_ROLES).map(([name, rules]) => ({ name: `${CONTROLLER_ROLE_PREFIX}${name}`, rules }));
}

/** A namespaced bootstrap Role and its binding. */
export interface NamespacedRoleSpec {
  namespace: string;
  name: string;
  rules: RuleSpec[];
  /** The binding's name when it differs from the role's. */
  bindingName?: string;
  users?: string[];
  serviceAccounts?: Array<{ namespace: string; name: string }>;
}

const LEADER_LOCKING: RuleSpec[] = [
  r(["create", "get", "list", "update", "watch"], ["coordination.k8s.io"], ["leases"]),
  r(["create", "get", "list", "update", "watch"], ["coordination.k8s.io"], ["leasecandidates"]),
];

export const NAMESPACED_ROLES: NamespacedRoleSpec[] = [
  {
    namespace: "kube-public",
    name: "system:controller:bootstrap-signer",
    rules: [r(READ, [""], ["configmaps"]), r(["update"], [""], ["configmaps"], ["cluster-info"]), EVENTS],
    serviceAccounts: [{ namespace: "kube-system", name: "bootstrap-signer" }],
  },
  {
    namespace: "kube-system",
    name: "extension-apiserver-authentication-reader",
    bindingName: "system::extension-apiserver-authentication-reader",
    rules: [r(READ, [""], ["configmaps"], ["extension-apiserver-authentication"])],
    users: ["system:kube-controller-manager", "system:kube-scheduler"],
  },
  {
    namespace: "kube-system",
    name: "system::leader-locking-kube-controller-manager",
    rules: LEADER_LOCKING,
    users: ["system:kube-controller-manager"],
    serviceAccounts: [
      { namespace: "kube-system", name: "kube-controller-manager" },
      { namespace: "kube-system", name: "leader-election-controller" },
    ],
  },
  {
    namespace: "kube-system",
    name: "system::leader-locking-kube-scheduler",
    rules: LEADER_LOCKING,
    users: ["system:kube-scheduler"],
    serviceAccounts: [{ namespace: "kube-system", name: "kube-scheduler" }],
  },
  {
    namespace: "kube-system",
    name: "system:controller:bootstrap-signer",
    rules: [r(READ, [""], ["secrets"])],
    serviceAccounts: [{ namespace: "kube-system", name: "bootstrap-signer" }],
  },
  {
    namespace: "kube-system",
    name: "system:controller:cloud-provider",
    rules: [r(["create", "get", "list", "watch"], [""], ["configmaps"])],
    serviceAccounts: [{ namespace: "kube-system", name: "cloud-provider" }],
  },
  {
    namespace: "kube-system",
    name: "system:controller:token-cleaner",
    rules: [r(["delete", "get", "list", "watch"], [""], ["secrets"]), EVENTS],
    serviceAccounts: [{ namespace: "kube-system", name: "token-cleaner" }],
  },
];
