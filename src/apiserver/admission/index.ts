/**
 * Admission: the plugin chain and the plugins kts runs, in kube-apiserver's order (its
 * AllOrderedPlugins): every plugin's mutating step in this order, then every validating step.
 * Which plugins run follows --enable-admission-plugins / --disable-admission-plugins over the
 * default set, as kube-apiserver's flags do.
 */
import type { Admission, GenericStore } from "../registry/store.ts";
import { chainAdmission, type AdmissionPlugin } from "./chain.ts";
import { defaultStorageClass } from "./default-storage-class.ts";
import { defaultTolerationSeconds } from "./default-toleration-seconds.ts";
import { limitRanger } from "./limit-ranger.ts";
import { namespaceLifecycle } from "./namespace-lifecycle.ts";
import { podSecurity, type PodSecurityConfiguration } from "./pod-security/plugin.ts";
import { priorityAdmission } from "./priority.ts";
import { resourceQuotaAdmission } from "./resource-quota.ts";
import { serviceAccountAdmission } from "./service-account.ts";
import { nodeRestriction } from "../authz/index.ts";
import { validatingAdmissionPolicy } from "./policy/validating-policy.ts";
import { webhookPlugins } from "./webhook/plugin.ts";
import type { Logger } from "../../log/index.ts";
import type { Authorizer } from "../http/authz.ts";

export { chainAdmission, type AdmissionOperation, type AdmissionPlugin, type AdmissionRequest } from "./chain.ts";
export { IMMORTAL_NAMESPACES, namespaceLifecycle } from "./namespace-lifecycle.ts";
export { priorityAdmission } from "./priority.ts";
export { readPodSecurityConfiguration, type PodSecurityConfiguration } from "./pod-security/plugin.ts";

export interface AdmissionDeps {
  /** The served resources, looked up when a request arrives. */
  lookup(group: string, version: string, plural: string): GenericStore | undefined;
  /** The API server's authorizer (the CEL `authorizer` variable); asked when a request arrives. */
  authorizer?(): Authorizer | undefined;
  /** Plugins to add to the default set (kube-apiserver's --enable-admission-plugins). */
  enable?: string[];
  /** Plugins to leave out (--disable-admission-plugins). */
  disable?: string[];
  /** PodSecurity's defaults and exemptions (a PodSecurityConfiguration). */
  podSecurity?: PodSecurityConfiguration;
  log?: Logger;
}

/** kube-apiserver's plugin order, for the plugins kts has. */
export const ORDERED_PLUGINS = [
  "NamespaceLifecycle",
  "LimitRanger",
  "ServiceAccount",
  "NodeRestriction",
  "PodSecurity",
  "Priority",
  "DefaultTolerationSeconds",
  "DefaultStorageClass",
  "MutatingAdmissionWebhook",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionWebhook",
  "ResourceQuota",
];

/**
 * kube-apiserver's default set, of the plugins kts has: all of them, NodeRestriction included
 * (k3s enables it).
 */
export const DEFAULT_PLUGINS = [...ORDERED_PLUGINS];

/**
 * For an API server without the service account controller (tests of other plugins, benchmarks):
 * pods there would wait for a "default" account nobody makes. Upstream's integration test
 * server disables the plugin for the same reason.
 */
export const NO_SERVICE_ACCOUNTS = ["ServiceAccount"];

/** The plugins a pair of enable/disable lists turns on, in upstream's order; unknown names are an error. */
export function enabledPlugins(enable: string[] = [], disable: string[] = []): string[] {
  for (const name of [...enable, ...disable]) {
    if (!ORDERED_PLUGINS.includes(name)) throw new Error(`admission plugin "${name}" is not known (known: ${ORDERED_PLUGINS.join(", ")})`);
  }
  const on = new Set([...DEFAULT_PLUGINS, ...enable]);
  for (const name of disable) on.delete(name);
  return ORDERED_PLUGINS.filter((n) => on.has(n));
}

/** The admission chain of a kts API server. */
export function defaultAdmission(deps: AdmissionDeps): Admission {
  const store = (g: string, v: string, r: string) => () => deps.lookup(g, v, r);
  let webhooks: ReturnType<typeof webhookPlugins> | undefined;
  const hooks = () => (webhooks ??= webhookPlugins({ lookup: deps.lookup, authorizer: deps.authorizer, log: deps.log?.child("webhook") }));
  const make: Record<string, () => AdmissionPlugin> = {
    NamespaceLifecycle: () => namespaceLifecycle({ namespaces: store("", "v1", "namespaces") }),
    LimitRanger: () => limitRanger({ limitRanges: store("", "v1", "limitranges") }),
    ServiceAccount: () =>
      serviceAccountAdmission({
        serviceAccounts: store("", "v1", "serviceaccounts"),
        // The token volume needs TokenRequest (serviceaccounts/token) to be served for real.
        mountToken: () => deps.lookup("", "v1", "serviceaccounts")?.def.extraSubresources?.some((s) => s.name === "token" && s.create !== undefined) ?? false,
      }),
    NodeRestriction: () => nodeRestriction({ nodes: store("", "v1", "nodes") }),
    PodSecurity: () => podSecurity({ namespaces: store("", "v1", "namespaces"), pods: store("", "v1", "pods"), config: deps.podSecurity }),
    Priority: () => priorityAdmission({ priorityClasses: store("scheduling.k8s.io", "v1", "priorityclasses") }),
    DefaultTolerationSeconds: () => defaultTolerationSeconds(),
    DefaultStorageClass: () => defaultStorageClass({ storageClasses: store("storage.k8s.io", "v1", "storageclasses") }),
    MutatingAdmissionWebhook: () => hooks().mutating,
    ValidatingAdmissionPolicy: () => validatingAdmissionPolicy({ lookup: deps.lookup, authorizer: deps.authorizer }),
    ValidatingAdmissionWebhook: () => hooks().validating,
    ResourceQuota: () => resourceQuotaAdmission({ quotas: store("", "v1", "resourcequotas") }),
  };
  return chainAdmission(enabledPlugins(deps.enable, deps.disable).map((n) => make[n]!()));
}
