/**
 * Who each in-process component is (least privilege, as upstream deploys them): the controller
 * manager as system:kube-controller-manager for its shared informers, events and lease, and each
 * controller as its own kube-system ServiceAccount (--use-service-account-credentials, which
 * kubeadm and k3s set), bound to system:controller:<account>; the scheduler as
 * system:kube-scheduler. The ServiceAccounts are made at start, as kube-controller-manager does.
 */
import type { Client } from "../client/index.ts";
import type { UserInfo } from "../apiserver/index.ts";
import type { Logger } from "../log/index.ts";
import { ApiError } from "../apiserver/api/errors.ts";

export const CONTROLLER_MANAGER_USER: UserInfo = { username: "system:kube-controller-manager", groups: ["system:authenticated"] };
export const SCHEDULER_USER: UserInfo = { username: "system:kube-scheduler", groups: ["system:authenticated"] };

/** kts's controller names → the kube-system ServiceAccount upstream runs each as. */
export const CONTROLLER_SERVICE_ACCOUNTS: Record<string, string> = {
  "garbage-collector-controller": "generic-garbage-collector",
  "namespace-controller": "namespace-controller",
  "deployment-controller": "deployment-controller",
  "replicaset-controller": "replicaset-controller",
  "replicationcontroller-controller": "replication-controller",
  "statefulset-controller": "statefulset-controller",
  "daemonset-controller": "daemon-set-controller",
  "job-controller": "job-controller",
  "cronjob-controller": "cronjob-controller",
  "resourcequota-controller": "resourcequota-controller",
  "ttl-after-finished-controller": "ttl-after-finished-controller",
  "pod-garbage-collector-controller": "pod-garbage-collector",
  "node-lifecycle-controller": "node-controller",
  "taint-eviction-controller": "node-controller",
  "node-ipam-controller": "node-controller",
  "endpoints-controller": "endpoint-controller",
  "endpointslice-controller": "endpointslice-controller",
  "endpointslice-mirroring-controller": "endpointslicemirroring-controller",
  "serviceaccount-controller": "service-account-controller",
  "disruption-controller": "disruption-controller",
  "root-ca-certificate-publisher-controller": "root-ca-cert-publisher",
  "certificatesigningrequest-approving-controller": "certificate-controller",
  "certificatesigningrequest-cleaner-controller": "certificate-controller",
  "certificatesigningrequest-signing-controller": "certificate-controller",
  "clusterrole-aggregation-controller": "clusterrole-aggregation-controller",
  "token-cleaner-controller": "token-cleaner",
  "persistentvolume-binder-controller": "persistent-volume-binder",
  "persistentvolume-expander-controller": "expand-controller",
  "persistentvolumeclaim-protection-controller": "pvc-protection-controller",
  "persistentvolume-protection-controller": "pv-protection-controller",
  "ephemeral-volume-controller": "ephemeral-volume-controller",
  "horizontal-pod-autoscaler-controller": "horizontal-pod-autoscaler",
  "service-lb-controller": "service-controller",
  "ttl-controller": "ttl-controller",
};

export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}

const SERVICE_ACCOUNTS = { group: "", version: "v1", resource: "serviceaccounts" };

/** Makes the controllers' kube-system ServiceAccounts that do not exist yet (in the background: nothing waits on them). */
export async function ensureControllerServiceAccounts(client: Client, log: Logger): Promise<void> {
  for (const name of new Set(Object.values(CONTROLLER_SERVICE_ACCOUNTS))) {
    try {
      await client.create(SERVICE_ACCOUNTS, "kube-system", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: "kube-system" } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) continue;
      log.warn("cannot create a controller's service account", { name, err: String(err) });
    }
  }
}
