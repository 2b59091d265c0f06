/**
 * Defaults of a PodSpec, as upstream's SetObjectDefaults_PodTemplate applies them (and every
 * workload type applies to its pod template): SetDefaults_PodSpec plus the nested defaults of
 * volumes, containers, probes and handlers. Pod-only defaults live in pod-defaults.ts.
 *
 * Fields that Go always serializes (struct-valued, like a container's `resources: {}`) are set
 * here too, so objects read back exactly as kubectl shows them from a real cluster.
 */
import type { V1HTTPGetAction, V1Lifecycle, V1ObjectFieldSelector, V1ResourceFieldSelector } from "@kubernetes/client-node";
import type { ObjectMeta, Wire } from "../../api/types.ts";
import { defaultPullPolicy } from "./image-name.ts";
import { canonicalField, canonicalizeResourceList } from "./quantities.ts";
import type { Container, EphemeralContainer, PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec, Probe, Volume } from "./types.ts";

export const DEFAULT_TERMINATION_GRACE_PERIOD = 30;
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
/** 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
export const DEFAULT_FILE_MODE = 420;

/** Upstream's SetDefaults_PodSpec and the nested defaults of everything inside a pod spec. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  canonicalizeResourceList(spec.overhead);
}

/**
 * A pod template (Deployment, Job, PodTemplate, ...): the spec's defaults, and the empty
 * creationTimestamp that Go serializes for an embedded ObjectMeta in 1.32.
 */
export function defaultPodTemplate(template: PodTemplateSpec): void {
  defaultEmbeddedMeta((template.metadata ??= {}));
  defaultPodSpec((template.spec ??= { containers: [] }));
}

/** Embedded ObjectMeta is a Go struct: its zero creationTimestamp encodes as null. */
export function defaultEmbeddedMeta(meta: ObjectMeta): void {
  if (meta.creationTimestamp === undefined) (meta as { creationTimestamp: string | null }).creationTimestamp = null;
}

export function defaultContainer(c: Container | EphemeralContainer): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image ?? "");
  c.terminationMessagePath ||= "/dev/termination-log";
  c.terminationMessagePolicy ||= "File";
  for (const p of c.ports ?? []) p.protocol ||= "TCP";
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) defaultFieldRef(e.valueFrom.fieldRef);
    if (e.valueFrom?.resourceFieldRef) defaultResourceFieldRef(e.valueFrom.resourceFieldRef);
  }
  // ResourceRequirements is a struct field: Go always writes it, as `resources: {}` when empty.
  c.resources ??= {};
  canonicalizeResourceList(c.resources.limits);
  canonicalizeResourceList(c.resources.requests);
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe);
  if (c.lifecycle) defaultLifecycle(c.lifecycle);
}

export function defaultProbe(p: Probe): void {
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  if (p.httpGet) defaultHTTPGet(p.httpGet);
  // GRPCAction.service is a pointer defaulted to "" (+default=""), so it shows up as `service: ""`.
  if (p.grpc) p.grpc.service ??= "";
}

function defaultLifecycle(l: Wire<V1Lifecycle>): void {
  if (l.postStart?.httpGet) defaultHTTPGet(l.postStart.httpGet);
  if (l.preStop?.httpGet) defaultHTTPGet(l.preStop.httpGet);
}

function defaultHTTPGet(h: Wire<V1HTTPGetAction>): void {
  h.path ||= "/";
  h.scheme ||= "HTTP";
}

function defaultFieldRef(ref: Wire<V1ObjectFieldSelector>): void {
  ref.apiVersion ||= "v1";
}

/** divisor is a non-pointer Quantity: an unset one is written as "0". */
function defaultResourceFieldRef(ref: Wire<V1ResourceFieldSelector>): void {
  ref.divisor = canonicalField(ref.divisor) ?? "0";
}

/** A volume without any source is an emptyDir; each source gets its own defaults. */
export function defaultVolume(v: Volume): void {
  const hasSource = Object.entries(v).some(([k, val]) => k !== "name" && val !== undefined && val !== null);
  if (!hasSource) v.emptyDir = {};
  if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalField(v.emptyDir.sizeLimit);
  if (v.hostPath) v.hostPath.type ??= "";
  if (v.secret) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (v.projected) defaultProjected(v.projected);
  defaultLegacyVolumeSources(v);
  const claim = v.ephemeral?.volumeClaimTemplate;
  if (claim) {
    defaultEmbeddedMeta((claim.metadata ??= {}));
    defaultPersistentVolumeClaimSpec(claim.spec);
  }
}

function defaultDownwardItems(items: NonNullable<Volume["downwardAPI"]>["items"]): void {
  for (const item of items ?? []) {
    if (item.fieldRef) defaultFieldRef(item.fieldRef);
    if (item.resourceFieldRef) defaultResourceFieldRef(item.resourceFieldRef);
  }
}

function defaultProjected(projected: NonNullable<Volume["projected"]>): void {
  projected.defaultMode ??= DEFAULT_FILE_MODE;
  for (const source of projected.sources ?? []) {
    if (source.downwardAPI) defaultDownwardItems(source.downwardAPI.items);
    if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
  }
}

/** Declarative (+default) values of the in-tree volume plugins. */
function defaultLegacyVolumeSources(v: Volume): void {
  if (v.iscsi) v.iscsi.iscsiInterface ||= "default";
  if (v.rbd) {
    v.rbd.pool ||= "rbd";
    v.rbd.user ||= "admin";
    v.rbd.keyring ||= "/etc/ceph/keyring";
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ??= "ReadWrite";
    v.azureDisk.fsType ??= "ext4";
    v.azureDisk.readOnly ??= false;
    v.azureDisk.kind ??= "Shared";
  }
  if (v.scaleIO) {
    v.scaleIO.storageMode ||= "ThinProvisioned";
    v.scaleIO.fsType ||= "xfs";
  }
}

/** SetDefaults_PersistentVolumeClaimSpec: volumeMode Filesystem; resources is a struct Go always writes. */
export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec): void {
  spec.volumeMode ??= "Filesystem";
  spec.resources ??= {};
  canonicalizeResourceList(spec.resources.limits);
  canonicalizeResourceList(spec.resources.requests);
}
