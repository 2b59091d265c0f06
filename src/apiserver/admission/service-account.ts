/**
 * The ServiceAccount admission plugin (upstream's plugin/pkg/admission/serviceaccount): a new pod
 * runs as a ServiceAccount — "default" when it names none — which must exist (403 `error looking
 * up service account <ns>/<name>: serviceaccount "<name>" not found` otherwise). Unless the pod or
 * its account opts out (automountServiceAccountToken), every container mounts a projected
 * kube-api-access-<random> volume at /var/run/secrets/kubernetes.io/serviceaccount: a bound
 * token (expirationSeconds 3607), the kube-root-ca.crt ConfigMap's ca.crt, and the namespace.
 * The account's imagePullSecrets are copied to a pod that has none. Mirror pods may reference
 * neither accounts nor API volumes.
 */
import { ApiError, errors } from "../api/errors.ts";
import type { GenericStore } from "../registry/store.ts";
import type { Container, Pod, ServiceAccount, Volume } from "../resources/core/types.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./chain.ts";

export const DEFAULT_SERVICE_ACCOUNT = "default";
export const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
export const API_ACCESS_VOLUME_PREFIX = "kube-api-access-";
const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: tokens look like 1 hour, the kubelet refreshes them. */
export const BOUND_TOKEN_EXPIRATION_SECONDS = 3607;
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

export interface ServiceAccountOptions {
  serviceAccounts(): GenericStore | undefined;
  /** Whether the token volume is added (kube-apiserver always does; false while no TokenRequest is served). */
  mountToken?(): boolean;
}

/** Five lower-case alphanumerics, as names.SimpleNameGenerator draws them. */
function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** upstream's TokenVolumeSource. */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: BOUND_TOKEN_EXPIRATION_SECONDS, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
      defaultMode: 0o644,
    },
  } as Volume;
}

function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  if (pod.spec?.automountServiceAccountToken != null) return pod.spec.automountServiceAccountToken;
  if (sa.automountServiceAccountToken != null) return sa.automountServiceAccountToken;
  return true;
}

function mountToken(pod: Pod): void {
  const spec = pod.spec!;
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  const volumeName = existing?.name ?? `${API_ACCESS_VOLUME_PREFIX}${randomSuffix()}`;
  let needed = false;
  const mountIn = (c: Container) => {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) return;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    needed = true;
  };
  for (const c of spec.initContainers ?? []) mountIn(c);
  for (const c of spec.containers ?? []) mountIn(c);
  if (!existing && needed) spec.volumes = [...(spec.volumes ?? []), apiAccessVolume(volumeName)];
}

const isPodRequest = (req: AdmissionRequest) => req.def.group === "" && req.def.plural === "pods" && !req.ctx.subresource;
const isMirror = (pod: Pod) => pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;

function forbidden(req: AdmissionRequest, why: string): ApiError {
  return errors.forbidden({ resource: "pods", name: req.obj.metadata?.name }, why);
}

/**
 * The account, looked up again a few times when it is the namespace's "default": the service
 * account controller makes that one moments after the namespace, and a pod created right after
 * its namespace (a script, `kubectl apply` of a namespace and its workload) should not fail on
 * that race. Upstream tries 10 times, 100–200 ms apart; other names are looked up once.
 */
async function getWithRetries(store: GenericStore, namespace: string, name: string): Promise<ServiceAccount> {
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
  const interval = 100 + Math.floor(Math.random() * 100);
  for (let i = 1; ; i++) {
    try {
      return (await store.get(namespace, name)) as ServiceAccount;
    } catch (err) {
      if (i >= attempts || !(err instanceof ApiError) || err.code !== 404) throw err;
    }
    await Bun.sleep(interval);
  }
}

export function serviceAccountAdmission(opts: ServiceAccountOptions): AdmissionPlugin {
  async function lookup(req: AdmissionRequest, namespace: string, name: string): Promise<ServiceAccount> {
    const store = opts.serviceAccounts();
    try {
      if (!store) throw errors.notFound({ resource: "serviceaccount", name });
      return await getWithRetries(store, namespace, name);
    } catch (err) {
      // upstream wraps the lister's error, whose resource is the singular "serviceaccount".
      const why = err instanceof ApiError && err.code === 404 ? `serviceaccount "${name}" not found` : (err as Error).message;
      throw forbidden(req, `error looking up service account ${namespace}/${name}: ${why}`);
    }
  }

  function validateMirror(req: AdmissionRequest, pod: Pod): void {
    if (pod.spec?.serviceAccountName) throw forbidden(req, "a mirror pod may not reference service accounts");
    for (const v of pod.spec?.volumes ?? []) {
      if (v.secret) throw forbidden(req, `volume ${v.name} is a secret volume; mirror pods may not reference secrets`);
      if (v.projected?.sources?.some((s) => s.secret || s.serviceAccountToken)) throw forbidden(req, `volume ${v.name} has a secret or service account token projection; mirror pods may not reference them`);
    }
  }

  return {
    name: "ServiceAccount",

    async mutate(req) {
      if (req.operation !== "CREATE" || !isPodRequest(req)) return;
      const pod = req.obj as Pod;
      if (isMirror(pod)) return validateMirror(req, pod);
      const spec = (pod.spec ??= { containers: [] });
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      // The deprecated field mirrors the name, as the v1 conversion writes it.
      spec.serviceAccount = spec.serviceAccountName;
      const namespace = pod.metadata?.namespace || req.ctx.namespace;
      const sa = await lookup(req, namespace, spec.serviceAccountName);
      if ((opts.mountToken?.() ?? true) && shouldAutomount(sa, pod)) mountToken(pod);
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    },

    async validate(req) {
      if (req.operation !== "CREATE" || !isPodRequest(req)) return;
      const pod = req.obj as Pod;
      if (isMirror(pod)) validateMirror(req, pod);
    },
  };
}
