/**
 * Pod volumes, volume mounts and volume devices, with upstream's paths and messages
 * (ValidateVolumes, validateVolumeSource, ValidateVolumeMounts, ValidateVolumeDevices).
 */
import type { V1DownwardAPIVolumeFile, V1KeyToPath, V1VolumeDevice, V1VolumeMount } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { validateAnnotations, validateLabels } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../validation/names.ts";
import { VOLUME_FIELD_PATHS, validateObjectFieldSelector, validateResourceFieldSelector } from "./env-validation.ts";
import { validatePersistentVolumeClaimSpec } from "./pvc-spec-validation.ts";
import { isFieldError, readQuantity } from "./resource-validation.ts";
import type { Container, Volume } from "./types.ts";
import { validateLocalDescendingPath, validateLocalNonReservedPath, validatePathNoBacksteps } from "./volume-paths.ts";

const FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive";
const HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

type SourceKey = Exclude<keyof Volume, "name">;
type SourceCheck = (v: Volume, path: FieldPath, podName: string | undefined) => FieldError[];

const required = (obj: object | undefined, keys: string[], path: FieldPath): FieldError[] =>
  keys.filter((k) => !(obj as Record<string, unknown> | undefined)?.[k]).map((k) => field.required(path.child(k)));

/**
 * Every volume source, in upstream's order, with the path segment its errors use (upstream
 * reports a few under historical names, e.g. gcePersistentDisk as "persistentDisk").
 */
const SOURCES: Array<[SourceKey, string, SourceCheck]> = [
  ["emptyDir", "emptyDir", validateEmptyDir],
  ["hostPath", "hostPath", (v, p) => validateHostPath(v.hostPath!, p)],
  ["gitRepo", "gitRepo", (v, p) => [...required(v.gitRepo, ["repository"], p), ...validateLocalDescendingPath(v.gitRepo!.directory ?? "", p.child("directory"))]],
  ["gcePersistentDisk", "persistentDisk", (v, p) => required(v.gcePersistentDisk, ["pdName"], p)],
  ["awsElasticBlockStore", "awsElasticBlockStore", (v, p) => required(v.awsElasticBlockStore, ["volumeID"], p)],
  ["secret", "secret", (v, p) => [...required(v.secret, ["secretName"], p), ...validateModeAndItems(v.secret!, p)]],
  ["nfs", "nfs", (v, p) => validateNFS(v.nfs!, p)],
  ["iscsi", "iscsi", (v, p) => required(v.iscsi, ["targetPortal", "iqn"], p)],
  ["glusterfs", "glusterfs", (v, p) => required(v.glusterfs, ["endpoints", "path"], p)],
  ["flocker", "flocker", () => []],
  ["persistentVolumeClaim", "persistentVolumeClaim", (v, p) => required(v.persistentVolumeClaim, ["claimName"], p)],
  ["rbd", "rbd", (v, p) => required(v.rbd, ["monitors", "image"], p)],
  ["cinder", "cinder", (v, p) => required(v.cinder, ["volumeID"], p)],
  ["cephfs", "cephfs", (v, p) => required(v.cephfs, ["monitors"], p)],
  ["quobyte", "quobyte", (v, p) => required(v.quobyte, ["volume"], p)],
  ["downwardAPI", "downwardAPI", (v, p) => validateDownwardAPI(v.downwardAPI!, p)],
  ["fc", "fc", () => []],
  ["flexVolume", "flexVolume", (v, p) => required(v.flexVolume, ["driver"], p)],
  ["configMap", "configMap", (v, p) => [...required(v.configMap, ["name"], p), ...validateModeAndItems(v.configMap!, p)]],
  ["azureFile", "azureFile", (v, p) => required(v.azureFile, ["secretName", "shareName"], p)],
  ["vsphereVolume", "vsphereVolume", (v, p) => required(v.vsphereVolume, ["volumePath"], p)],
  ["photonPersistentDisk", "photonPersistentDisk", (v, p) => required(v.photonPersistentDisk, ["pdID"], p)],
  ["portworxVolume", "portworxVolume", (v, p) => required(v.portworxVolume, ["volumeID"], p)],
  ["azureDisk", "azureDisk", (v, p) => required(v.azureDisk, ["diskName", "diskURI"], p)],
  ["storageos", "storageos", (v, p) => required(v.storageos, ["volumeName"], p)],
  ["projected", "projected", (v, p) => validateProjected(v.projected!, p)],
  ["scaleIO", "scaleIO", (v, p) => required(v.scaleIO, ["gateway", "system", "volumeName"], p)],
  ["csi", "csi", (v, p) => validateCSIDriver(v.csi!.driver, p.child("driver"))],
  ["ephemeral", "ephemeral", validateEphemeral],
  ["image", "image", () => []],
];

/**
 * Validates the volume list; returns the volumes that are valid by name (mounts may refer only
 * to those, as upstream's map of good volumes) and the errors.
 */
export function validateVolumes(volumes: Volume[] | undefined, path: FieldPath, podName?: string): { valid: Map<string, Volume>; errors: FieldError[] } {
  const valid = new Map<string, Volume>();
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const createdClaims = new Set(podName ? (volumes ?? []).filter((v) => v.ephemeral).map((v) => `${podName}-${v.name}`) : []);
  (volumes ?? []).forEach((vol, i) => {
    const p = path.index(i);
    const el = validateVolumeSource(vol, p, podName);
    if (!vol.name) el.push(field.required(p.child("name")));
    else el.push(...invalidEach(p.child("name"), vol.name, isDNS1123Label(vol.name)));
    if (names.has(vol.name)) el.push(field.duplicate(p.child("name"), vol.name));
    if (el.length === 0) {
      names.add(vol.name);
      valid.set(vol.name, vol);
    } else errors.push(...el);
    const claim = vol.persistentVolumeClaim?.claimName;
    if (claim && createdClaims.has(claim)) {
      errors.push(field.invalid(p.child("persistentVolumeClaim", "claimName"), claim, "must not reference a PVC that gets created for an ephemeral volume"));
    }
  });
  return { valid, errors };
}

function validateVolumeSource(vol: Volume, path: FieldPath, podName: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [key, segment, check] of SOURCES) {
    if (vol[key] === undefined || vol[key] === null) continue;
    if (count++ > 0) errs.push(field.forbidden(path.child(key === "downwardAPI" ? "downwarAPI" : key), "may not specify more than 1 volume type"));
    else errs.push(...check(vol, path.child(segment), podName));
  }
  if (count === 0) errs.push(field.required(path, "must specify a volume type"));
  return errs;
}

function validateEmptyDir(v: Volume, path: FieldPath): FieldError[] {
  const limit = v.emptyDir?.sizeLimit;
  if (limit === undefined || limit === null) return [];
  const q = readQuantity(limit, path.child("sizeLimit"));
  if (isFieldError(q)) return [q];
  return q.nanos < 0n ? [field.forbidden(path.child("sizeLimit"), "SizeLimit field must be a valid resource quantity")] : [];
}

export function validateHostPath(h: { path: string; type?: string }, path: FieldPath): FieldError[] {
  if (!h.path) return [field.required(path.child("path"))];
  const errs = validatePathNoBacksteps(h.path, path.child("path"));
  if (h.type != null && !HOST_PATH_TYPES.includes(h.type)) errs.push(field.notSupported(path.child("type"), h.type, HOST_PATH_TYPES));
  return errs;
}

export function validateNFS(nfs: { server: string; path: string }, path: FieldPath): FieldError[] {
  const errs = required(nfs, ["server", "path"], path);
  if (!nfs.path?.startsWith("/")) errs.push(field.invalid(path.child("path"), nfs.path ?? "", "must be an absolute path"));
  return errs;
}

function validateFileMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode != null && (mode < 0 || mode > 0o777) ? [field.invalid(path, mode, FILE_MODE_MSG)] : [];
}

function validateModeAndItems(src: { defaultMode?: number; items?: Array<Wire<V1KeyToPath>> }, path: FieldPath): FieldError[] {
  const errs = validateFileMode(src.defaultMode, path.child("defaultMode"));
  (src.items ?? []).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child("items").index(i))));
  return errs;
}

function validateKeyToPath(kp: Wire<V1KeyToPath>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(field.required(path.child("key")));
  if (!kp.path) errs.push(field.required(path.child("path")));
  errs.push(...validateLocalNonReservedPath(kp.path ?? "", path.child("path")));
  return [...errs, ...validateFileMode(kp.mode, path.child("mode"))];
}

function validateDownwardAPIFile(file: Wire<V1DownwardAPIVolumeFile>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(field.required(path.child("path")));
  errs.push(...validateLocalNonReservedPath(file.path ?? "", path.child("path")));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, VOLUME_FIELD_PATHS, path.child("fieldRef")));
    if (file.resourceFieldRef) errs.push(field.invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, true, path.child("resourceFieldRef")));
  } else errs.push(field.required(path, "one of fieldRef and resourceFieldRef is required"));
  return [...errs, ...validateFileMode(file.mode, path.child("mode"))];
}

function validateDownwardAPI(d: NonNullable<Volume["downwardAPI"]>, path: FieldPath): FieldError[] {
  const errs = validateFileMode(d.defaultMode, path.child("defaultMode"));
  // Upstream reports item errors on the downwardAPI path itself, without an index.
  for (const item of d.items ?? []) errs.push(...validateDownwardAPIFile(item, path));
  return errs;
}

function validateProjected(projected: NonNullable<Volume["projected"]>, path: FieldPath): FieldError[] {
  const errs = validateFileMode(projected.defaultMode, path.child("defaultMode"));
  const paths = new Set<string>();
  const claimPath = (p: string | undefined, value: string) => {
    if (!p) return;
    if (paths.has(p)) errs.push(field.invalid(path, value, "conflicting duplicate paths"));
    paths.add(p);
  };
  (projected.sources ?? []).forEach((src, i) => {
    const sp = path.child("sources").index(i);
    let count = 0;
    for (const key of ["secret", "configMap"] as const) {
      const ref = src[key];
      if (!ref) continue;
      count++;
      if (!ref.name) errs.push(field.required(sp.child(key, "name")));
      (ref.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, sp.child(key, "items").index(j)));
        claimPath(kp.path, ref.name ?? "");
      });
    }
    if (src.downwardAPI) {
      count++;
      for (const file of src.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIFile(file, sp.child("downwardAPI")));
        claimPath(file.path, file.path);
      }
    }
    if (src.serviceAccountToken) {
      count++;
      errs.push(...validateTokenProjection(src.serviceAccountToken, sp.child("serviceAccountToken"), path));
    }
    if (src.clusterTrustBundle) {
      count++;
      if (!src.clusterTrustBundle.path) errs.push(field.required(sp.child("clusterTrustBundle", "path")));
      claimPath(src.clusterTrustBundle.path, src.clusterTrustBundle.path);
    }
    if (count > 1) errs.push(field.forbidden(sp, "may not specify more than 1 volume type per source"));
  });
  return errs;
}

function validateTokenProjection(t: { expirationSeconds?: number; path: string }, path: FieldPath, projectedPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const exp = t.expirationSeconds ?? 0;
  if (exp < 600) errs.push(field.invalid(path.child("expirationSeconds"), exp, "may not specify a duration less than 10 minutes"));
  if (exp > 2 ** 32) errs.push(field.invalid(path.child("expirationSeconds"), exp, "may not specify a duration larger than 2^32 seconds"));
  if (!t.path) errs.push(field.required(projectedPath.child("path")));
  else errs.push(...validateLocalNonReservedPath(t.path, projectedPath.child("path")));
  return errs;
}

export function validateCSIDriver(driver: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!driver) errs.push(field.required(path));
  if (driver.length > 63) errs.push(field.tooLong(path, 63));
  return [...errs, ...invalidEach(path, driver, isDNS1123Subdomain(driver.toLowerCase()))];
}

function validateEphemeral(v: Volume, path: FieldPath, podName: string | undefined): FieldError[] {
  const template = v.ephemeral?.volumeClaimTemplate;
  if (!template) return [field.required(path.child("volumeClaimTemplate"))];
  const tp = path.child("volumeClaimTemplate");
  const errs = [...validateAnnotations(template.metadata?.annotations, tp.child("metadata", "annotations"))];
  errs.push(...validateLabels(template.metadata?.labels, tp.child("metadata", "labels")));
  errs.push(...validatePersistentVolumeClaimSpec(template.spec, tp.child("spec")));
  if (podName && v.name) {
    const claim = `${podName}-${v.name}`;
    for (const msg of isDNS1123Subdomain(claim)) errs.push(field.invalid(path.child("name"), v.name, `PVC name "${claim}": ${msg}`));
  }
  return errs;
}

/** A container's volumeMounts: known volumes, unique paths, no overlap with devices. */
export function validateVolumeMounts(c: Container, volumes: Map<string, Volume>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath]));
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) errs.push(field.required(p.child("name")));
    if (!volumes.has(m.name)) errs.push(field.notFound(p.child("name"), m.name));
    if (!m.mountPath) errs.push(field.required(p.child("mountPath")));
    if (mountPaths.has(m.mountPath)) errs.push(field.invalid(p.child("mountPath"), m.mountPath, "must be unique"));
    mountPaths.add(m.mountPath);
    if (devices.has(m.name)) errs.push(field.invalid(p.child("name"), m.name, "must not already exist in volumeDevices"));
    if ([...devices.values()].includes(m.mountPath)) errs.push(field.invalid(p.child("mountPath"), m.mountPath, "must not already exist as a path in volumeDevices"));
    errs.push(...validateMountDetails(m, c, volumes.get(m.name), p, path));
  });
  return errs;
}

function validateMountDetails(m: Wire<V1VolumeMount>, c: Container, vol: Volume | undefined, p: FieldPath, listPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (vol?.image) {
    if (m.subPath) errs.push(field.invalid(p.child("subPath"), m.subPath, "not allowed in image volume sources"));
    if (m.subPathExpr) errs.push(field.invalid(p.child("subPathExpr"), m.subPathExpr, "not allowed in image volume sources"));
  }
  // Upstream reports subPath problems on the list path, without the index.
  if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, listPath.child("subPath")));
  if (m.subPathExpr) {
    if (m.subPath) errs.push(field.invalid(p.child("subPathExpr"), m.subPathExpr, "subPathExpr and subPath are mutually exclusive"));
    errs.push(...validateLocalDescendingPath(m.subPathExpr, listPath.child("subPathExpr")));
  }
  if (m.mountPropagation != null) errs.push(...validateMountPropagation(m.mountPropagation, c, listPath.child("mountPropagation")));
  errs.push(...validateRecursiveReadOnly(m, listPath.child("recursiveReadOnly")));
  return errs;
}

function validateMountPropagation(mode: string, c: Container, path: FieldPath): FieldError[] {
  const modes = ["Bidirectional", "HostToContainer", "None"];
  const errs = modes.includes(mode) ? [] : [field.notSupported(path, mode, modes)];
  if (mode === "Bidirectional" && !c.securityContext?.privileged) {
    errs.push(field.forbidden(path, "Bidirectional mount propagation is available only to privileged containers"));
  }
  return errs;
}

function validateRecursiveReadOnly(m: Wire<V1VolumeMount>, path: FieldPath): FieldError[] {
  const rro = m.recursiveReadOnly;
  if (rro == null || rro === "Disabled") return [];
  if (rro !== "Enabled" && rro !== "IfPossible") return [field.notSupported(path, rro, ["Disabled", "Enabled", "IfPossible"])];
  const errs: FieldError[] = [];
  if (!m.readOnly) errs.push(field.forbidden(path, "may only be specified when readOnly is true"));
  if (m.mountPropagation != null && m.mountPropagation !== "None") errs.push(field.forbidden(path, "may only be specified when mountPropagation is None or not specified"));
  return errs;
}

/** Block devices: only from PVC or ephemeral volumes, unique, not also mounted. */
export function validateVolumeDevices(c: Container, volumes: Map<string, Volume>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.name, m.mountPath]));
  (c.volumeDevices ?? []).forEach((d: Wire<V1VolumeDevice>, i) => {
    const p = path.index(i);
    const vol = volumes.get(d.name);
    if (!d.name) errs.push(field.required(p.child("name")));
    if (names.has(d.name)) errs.push(field.invalid(p.child("name"), d.name, "must be unique"));
    if (vol && !vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(field.invalid(p.child("name"), d.name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
    }
    if (!vol) errs.push(field.notFound(p.child("name"), d.name));
    if (!d.devicePath) errs.push(field.required(p.child("devicePath")));
    if (paths.has(d.devicePath)) errs.push(field.invalid(p.child("devicePath"), d.devicePath, "must be unique"));
    if (d.devicePath && validatePathNoBacksteps(d.devicePath, p).length) errs.push(field.invalid(p.child("devicePath"), d.devicePath, "can not contain backsteps ('..')"));
    else paths.add(d.devicePath);
    if (mounts.has(d.name)) errs.push(field.invalid(p.child("name"), d.name, "must not already exist in volumeMounts"));
    if ([...mounts.values()].includes(d.devicePath)) errs.push(field.invalid(p.child("devicePath"), d.devicePath, "must not already exist as a path in volumeMounts"));
    if (d.name) names.add(d.name);
  });
  return errs;
}
