/**
 * The API objects a pod or a persistent volume makes a node need (upstream's
 * VisitPodSecretNames / VisitPodConfigmapNames and the node graph populator): Secrets for image
 * pulls, environment and volumes (including volume plugins' secret references), ConfigMaps,
 * PersistentVolumeClaims (with generic ephemeral volumes' claims), and the ServiceAccount.
 */
import type { Container, PersistentVolume, Pod, Volume } from "../../resources/core/types.ts";

export interface PodReferences {
  secrets: string[];
  configMaps: string[];
  claims: string[];
  serviceAccount?: string;
}

type SecretRefHolder = { secretRef?: { name?: string } | null; nodePublishSecretRef?: { name?: string } | null };

/** The secret names a volume source names (secret, projected, and plugins with a secretRef). */
function volumeSecrets(v: Volume): string[] {
  const out: string[] = [];
  if (v.secret?.secretName) out.push(v.secret.secretName);
  for (const s of v.projected?.sources ?? []) if (s.secret?.name) out.push(s.secret.name);
  const plugins = [v.azureFile ? { secretRef: { name: v.azureFile.secretName } } : undefined, v.cephfs, v.cinder, v.flexVolume, v.iscsi, v.rbd, v.scaleIO, v.storageos, v.csi] as Array<SecretRefHolder | undefined | null>;
  for (const p of plugins) {
    if (p?.secretRef?.name) out.push(p.secretRef.name);
    if (p?.nodePublishSecretRef?.name) out.push(p.nodePublishSecretRef.name);
  }
  return out;
}

function volumeConfigMaps(v: Volume): string[] {
  const out: string[] = [];
  if (v.configMap?.name) out.push(v.configMap.name);
  for (const s of v.projected?.sources ?? []) if (s.configMap?.name) out.push(s.configMap.name);
  return out;
}

function containerRefs(c: Pick<Container, "env" | "envFrom">, secrets: Set<string>, configMaps: Set<string>): void {
  for (const e of c.envFrom ?? []) {
    if (e.secretRef?.name) secrets.add(e.secretRef.name);
    if (e.configMapRef?.name) configMaps.add(e.configMapRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
  }
}

export function podReferences(pod: Pod): PodReferences {
  const spec = pod.spec;
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  for (const s of spec?.imagePullSecrets ?? []) if (s.name) secrets.add(s.name);
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])]) containerRefs(c, secrets, configMaps);
  for (const v of spec?.volumes ?? []) {
    for (const s of volumeSecrets(v)) secrets.add(s);
    for (const c of volumeConfigMaps(v)) configMaps.add(c);
    if (v.persistentVolumeClaim?.claimName) claims.add(v.persistentVolumeClaim.claimName);
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    if (v.ephemeral) claims.add(`${pod.metadata?.name ?? ""}-${v.name}`);
  }
  return { secrets: [...secrets], configMaps: [...configMaps], claims: [...claims], serviceAccount: spec?.serviceAccountName || undefined };
}

/** The Secrets a PersistentVolume's source names (namespace defaults to its claim's). */
export function pvSecrets(pv: PersistentVolume): Array<{ namespace: string; name: string }> {
  const s = pv.spec as Record<string, Record<string, unknown> | undefined> | undefined;
  const claimNs = pv.spec?.claimRef?.namespace ?? "";
  const out: Array<{ namespace: string; name: string }> = [];
  const add = (ref: unknown, fallbackNs = claimNs) => {
    const r = ref as { name?: string; namespace?: string } | undefined;
    if (r?.name) out.push({ namespace: r.namespace || fallbackNs, name: r.name });
  };
  if (!s) return out;
  if (s.azureFile) add({ name: s.azureFile.secretName, namespace: s.azureFile.secretNamespace });
  for (const p of ["cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos"]) add(s[p]?.secretRef);
  const csi = s.csi;
  if (csi) for (const k of ["controllerPublishSecretRef", "controllerExpandSecretRef", "nodePublishSecretRef", "nodeStageSecretRef", "nodeExpandSecretRef"]) add(csi[k]);
  return out;
}
