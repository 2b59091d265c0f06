/**
 * core/v1 persistentvolumes: defaults, spec validation (one volume source, access modes, a
 * storage capacity), source immutability, the `kubectl get pv` Table and the legacy "name"
 * field selector.
 */
import type { V1PersistentVolumeSpec } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { rfc3339 } from "../../registry/object-meta.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { canonicalQuantity } from "../../validation/quantity.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { accessModesString, column } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { VOLUME_MODES, validateAccessModes } from "./pvc-spec-validation.ts";
import { canonicalizeResourceList } from "./quantities.ts";
import { isFieldError, readQuantity, validatePositiveQuantity } from "./resource-validation.ts";
import { validateNodeSelector } from "./scheduling-validation.ts";
import { differingPaths, semanticEqual } from "./semantic.ts";
import { view, type PersistentVolume } from "./types.ts";
import { validateCSIDriver, validateHostPath, validateNFS } from "./volume-validation.ts";

type Spec = Wire<V1PersistentVolumeSpec>;

const SPEC = FieldPath.root("spec");
const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

type SourceCheck = (spec: Spec, path: FieldPath) => FieldError[];
const required = (obj: object | undefined, keys: string[], path: FieldPath): FieldError[] =>
  keys.filter((k) => !(obj as Record<string, unknown> | undefined)?.[k]).map((k) => field.required(path.child(k)));

/** The persistent volume sources in upstream's order, with the path segment errors use. */
const SOURCES: Array<[keyof Spec, string, SourceCheck]> = [
  ["hostPath", "hostPath", (s, p) => validateHostPath(s.hostPath!, p)],
  ["gcePersistentDisk", "persistentDisk", (s, p) => required(s.gcePersistentDisk, ["pdName"], p)],
  ["awsElasticBlockStore", "awsElasticBlockStore", (s, p) => required(s.awsElasticBlockStore, ["volumeID"], p)],
  ["glusterfs", "glusterfs", (s, p) => required(s.glusterfs, ["endpoints", "path"], p)],
  ["flocker", "flocker", () => []],
  ["nfs", "nfs", (s, p) => validateNFS(s.nfs!, p)],
  ["rbd", "rbd", (s, p) => required(s.rbd, ["monitors", "image"], p)],
  ["quobyte", "quobyte", (s, p) => required(s.quobyte, ["volume"], p)],
  ["cephfs", "cephfs", (s, p) => required(s.cephfs, ["monitors"], p)],
  ["iscsi", "iscsi", (s, p) => required(s.iscsi, ["targetPortal", "iqn"], p)],
  ["cinder", "cinder", (s, p) => required(s.cinder, ["volumeID"], p)],
  ["fc", "fc", () => []],
  ["flexVolume", "flexVolume", (s, p) => required(s.flexVolume, ["driver"], p)],
  ["azureFile", "azureFile", (s, p) => required(s.azureFile, ["secretName", "shareName"], p)],
  ["vsphereVolume", "vsphereVolume", (s, p) => required(s.vsphereVolume, ["volumePath"], p)],
  ["photonPersistentDisk", "photonPersistentDisk", (s, p) => required(s.photonPersistentDisk, ["pdID"], p)],
  ["portworxVolume", "portworxVolume", (s, p) => required(s.portworxVolume, ["volumeID"], p)],
  ["azureDisk", "azureDisk", (s, p) => required(s.azureDisk, ["diskName", "diskURI"], p)],
  ["scaleIO", "scaleIO", (s, p) => required(s.scaleIO, ["gateway", "system", "volumeName"], p)],
  ["local", "local", validateLocal],
  ["storageos", "storageos", (s, p) => required(s.storageos, ["volumeName"], p)],
  ["csi", "csi", (s, p) => [...validateCSIDriver(s.csi!.driver, p.child("driver")), ...required(s.csi, ["volumeHandle"], p)]],
];
const SOURCE_KEYS = new Set<string>(SOURCES.map(([k]) => k));

function validateLocal(spec: Spec, path: FieldPath): FieldError[] {
  const errs = spec.local?.path ? [] : [field.required(path.child("path"))];
  if (!spec.nodeAffinity) errs.push(field.required(SPEC.child("nodeAffinity"), "Local volume requires node affinity"));
  return errs;
}

/** upstream's SetDefaults_PersistentVolume (status is set on create). */
export function defaultPersistentVolume(pv: PersistentVolume): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= "Retain";
  spec.volumeMode ??= "Filesystem";
  canonicalizeResourceList(spec.capacity);
  if (spec.hostPath) spec.hostPath.type ??= "";
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const spec: Spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, SPEC.child("accessModes"), "");
  errs.push(...validateCapacity(spec));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(field.notSupported(SPEC.child("persistentVolumeReclaimPolicy"), spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  if (spec.nodeAffinity) {
    if (spec.nodeAffinity.required) errs.push(...validateNodeSelector(spec.nodeAffinity.required, SPEC.child("nodeAffinity", "required")));
    else errs.push(field.required(SPEC.child("nodeAffinity", "required"), "must specify required node constraints"));
  }
  errs.push(...validateSource(spec));
  const cleaned = spec.hostPath?.path.replace(/\/+$/, "") ?? "x";
  if (spec.hostPath && cleaned === "" && spec.persistentVolumeReclaimPolicy === "Recycle") {
    errs.push(field.forbidden(SPEC.child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...invalidEach(SPEC.child("storageClassName"), spec.storageClassName, isDNS1123Subdomain(spec.storageClassName)));
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(field.notSupported(SPEC.child("volumeMode"), spec.volumeMode, VOLUME_MODES));
  return errs;
}

function validateCapacity(spec: Spec): FieldError[] {
  const capacity = spec.capacity ?? {};
  const path = SPEC.child("capacity");
  const errs: FieldError[] = [];
  if (!Object.keys(capacity).length) errs.push(field.required(path));
  if (!("storage" in capacity) || Object.keys(capacity).length > 1) errs.push(field.notSupported(path, capacity, ["storage"]));
  for (const [name, value] of Object.entries(capacity)) {
    const q = readQuantity(value, path.key(name));
    if (isFieldError(q)) errs.push(q);
    else {
      // upstream's validateBasicResource reports the whole-unit value.
      if (q.nanos < 0n) errs.push(field.invalid(path.key(name), Math.ceil(Number(q.nanos) / 1e9), "must be a valid resource quantity"));
      errs.push(...validatePositiveQuantity(q, path.key(name)));
    }
  }
  return errs;
}

function validateSource(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [key, segment, check] of SOURCES) {
    if (spec[key] === undefined || spec[key] === null) continue;
    // upstream lets flexVolume through without the "more than 1" check.
    if (count++ > 0 && key !== "flexVolume") errs.push(field.forbidden(SPEC.child(key), "may not specify more than 1 volume type"));
    else errs.push(...check(spec, SPEC.child(segment)));
  }
  if (count === 0) errs.push(field.required(SPEC, "must specify a volume type"));
  return errs;
}

/** The volume source and mode are fixed; node affinity too once set. */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs: FieldError[] = [];
  const source = (s: Spec | undefined) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => SOURCE_KEYS.has(k)));
  const now = source(pv.spec);
  const before = source(old.spec);
  // A CSI volume may gain a controllerExpandSecretRef.
  if (old.spec?.csi && !old.spec.csi.controllerExpandSecretRef && pv.spec?.csi?.controllerExpandSecretRef) {
    now.csi = { ...pv.spec.csi, controllerExpandSecretRef: undefined };
  }
  if (!semanticEqual(now, before)) {
    const diff = differingPaths(before, now).map((p) => `  ${p}`).join("\n");
    errs.push(field.forbidden(SPEC.child("persistentvolumesource"), `spec.persistentvolumesource is immutable after creation\n${diff}`));
  }
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(field.immutable("volumeMode", pv.spec?.volumeMode ?? null));
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(field.invalid("nodeAffinity", pv.spec?.nodeAffinity ?? null, "field is immutable, except for updating from beta label to GA"));
  }
  return errs;
}

/** helper.GetPersistentVolumeClass: the beta annotation wins over spec.storageClassName. */
function storageClassOf(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? "";
}

const strategy: Strategy = {
  defaults: (obj) => defaultPersistentVolume(view<PersistentVolume>(obj)),
  prepareForCreate(obj, ctx) {
    view<PersistentVolume>(obj).status = { phase: "Pending", lastPhaseTransitionTime: rfc3339(ctx.now) };
  },
  validate: (obj) => validatePersistentVolume(view<PersistentVolume>(obj)),
  validateUpdate: (obj, old) => validatePersistentVolumeUpdate(view<PersistentVolume>(obj), view<PersistentVolume>(old)),
};

const claimCell = (pv: PersistentVolume) => (pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ""}/${pv.spec.claimRef.name ?? ""}` : "");

export const persistentVolumeDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  singular: "persistentvolume",
  shortNames: ["pv"],
  namespaced: false,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  statusSubresource: true,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<PersistentVolume>("Capacity", FIELD_DOCS["PersistentVolumeSpec.capacity"], (pv) => canonicalQuantity(pv.spec?.capacity?.storage ?? "0")),
    column<PersistentVolume>("Access Modes", FIELD_DOCS["PersistentVolumeSpec.accessModes"], (pv) => accessModesString(pv.spec?.accessModes)),
    column<PersistentVolume>("Reclaim Policy", FIELD_DOCS["PersistentVolumeSpec.persistentVolumeReclaimPolicy"], (pv) => pv.spec?.persistentVolumeReclaimPolicy ?? ""),
    column<PersistentVolume>("Status", FIELD_DOCS["PersistentVolumeStatus.phase"], (pv) => (pv.metadata?.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? ""))),
    column<PersistentVolume>("Claim", FIELD_DOCS["PersistentVolumeSpec.claimRef"], claimCell),
    column<PersistentVolume>("StorageClass", "StorageClass of the pv", storageClassOf),
    column<PersistentVolume>("VolumeAttributesClass", "VolumeAttributesClass of the pv", (pv) => pv.spec?.volumeAttributesClassName ?? "<unset>"),
    column<PersistentVolume>("Reason", FIELD_DOCS["PersistentVolumeStatus.reason"], (pv) => pv.status?.reason ?? ""),
    ageColumn,
    column<PersistentVolume>("VolumeMode", FIELD_DOCS["PersistentVolumeSpec.volumeMode"], (pv) => pv.spec?.volumeMode ?? "<unset>", { priority: 1 }),
  ],
  fieldSelectors: { name: (o: KubeObject) => o.metadata?.name ?? "" },
  strategy,
};
