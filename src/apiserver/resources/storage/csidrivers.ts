/**
 * storage.k8s.io/v1 CSIDriver (upstream SetDefaults_CSIDriver, ValidateCSIDriver(Update),
 * printCSIDriver), as of 1.32: every boolean is defaulted, so a stored driver spells out its
 * behaviour; attachRequired and the lifecycle modes are fixed once set.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { goSlice, invalidGo } from "../../validation/go-syntax.ts";
import { ageColumn, column as viewColumn, nameColumn } from "../printing.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { STORAGE_GROUP, view, type CSIDriver, type CSIDriverSpec, type TokenRequest } from "./types.ts";

const FS_GROUP_POLICIES = ["File", "None", "ReadWriteOnceWithFSType"];
const LIFECYCLE_MODES = ["Persistent", "Ephemeral"];
/** Fields of later API versions, which a 1.32 server does not know and drops on decoding. */
const LATER_FIELDS = ["nodeAllocatableUpdatePeriodSeconds", "preventPodSchedulingIfMissing", "serviceAccountTokenInSecrets"] as const;

const driver = (obj: KubeObject) => view<CSIDriver>(obj);

export function defaultCSIDriver(d: CSIDriver): void {
  const spec: CSIDriverSpec = (d.spec ??= {});
  for (const f of LATER_FIELDS) delete spec[f];
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= "ReadWriteOnceWithFSType";
  if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ["Persistent"];
  spec.requiresRepublish ??= false;
  // SELinuxMountReadWriteOncePod is beta and on in 1.32, which defaults seLinuxMount too.
  spec.seLinuxMount ??= false;
}

/** Audiences are unique; token lifetimes lie between 10 minutes and 2^32 seconds. */
function validateTokenRequests(requests: TokenRequest[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const audiences = new Set<string>();
  (requests ?? []).forEach((r, i) => {
    const p = path.index(i);
    const audience = r?.audience ?? "";
    if (audiences.has(audience)) return void errs.push(field.duplicate(p.child("audience"), audience));
    audiences.add(audience);
    const seconds = r?.expirationSeconds;
    if (seconds == null) return;
    if (seconds < 600) errs.push(field.invalid(p.child("expirationSeconds"), seconds, "may not specify a duration less than 10 minutes"));
    if (seconds > 2 ** 32) errs.push(field.invalid(p.child("expirationSeconds"), seconds, "may not specify a duration larger than 2^32 seconds"));
  });
  return errs;
}

/** Note upstream's path for attachRequired: "attachedRequired". */
export function validateCSIDriverSpec(spec: CSIDriverSpec): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  if (spec.attachRequired == null) errs.push(field.required(path.child("attachedRequired")));
  if (spec.podInfoOnMount == null) errs.push(field.required(path.child("podInfoOnMount")));
  if (spec.storageCapacity == null) errs.push(field.required(path.child("storageCapacity")));
  if (spec.fsGroupPolicy != null && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) {
    errs.push(field.notSupported(path.child("fsGroupPolicy"), spec.fsGroupPolicy, FS_GROUP_POLICIES));
  }
  errs.push(...validateTokenRequests(spec.tokenRequests, path.child("tokenRequests")));
  for (const mode of spec.volumeLifecycleModes ?? []) {
    if (!LIFECYCLE_MODES.includes(mode)) errs.push(field.notSupported(path.child("volumeLifecycleModes"), mode, LIFECYCLE_MODES));
  }
  if (spec.seLinuxMount == null) errs.push(field.required(path.child("seLinuxMount")));
  return errs;
}

function validateCSIDriverUpdate(spec: CSIDriverSpec, old: CSIDriverSpec): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  if (spec.attachRequired !== old.attachRequired) errs.push(field.immutable(path.child("attachedRequired"), spec.attachRequired ?? null));
  if (!semanticEqual(spec.volumeLifecycleModes, old.volumeLifecycleModes)) {
    errs.push(invalidGo(path.child("volumeLifecycleModes"), goSlice("storage.VolumeLifecycleMode", spec.volumeLifecycleModes), "field is immutable"));
  }
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultCSIDriver(driver(obj)),
  validate: (obj) => validateCSIDriverSpec(driver(obj).spec ?? {}),
  validateUpdate: (obj, old) => validateCSIDriverUpdate(driver(obj).spec ?? {}, driver(old).spec ?? {}),
};

const column = (name: string, type: PrinterColumn["type"], description: string, cell: (spec: CSIDriverSpec) => unknown) =>
  viewColumn<CSIDriver>(name, description, (d) => cell(d.spec ?? {}), { type });

/** Descriptions are the 1.32 CSIDriverSpec field docs, as upstream's printer takes them. */
const columns: PrinterColumn[] = [
  nameColumn,
  column(
    "AttachRequired",
    "boolean",
    "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable.",
    (s) => s.attachRequired ?? true,
  ),
  column(
    "PodInfoOnMount",
    "boolean",
    "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be used. \"csi.storage.k8s.io/pod.name\": pod.Name \"csi.storage.k8s.io/pod.namespace\": pod.Namespace \"csi.storage.k8s.io/pod.uid\": string(pod.UID) \"csi.storage.k8s.io/ephemeral\": \"true\" if the volume is an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise \"false\"\n\n\"csi.storage.k8s.io/ephemeral\" is a new feature in Kubernetes 1.16. It is only required for drivers which support both the \"Persistent\" and \"Ephemeral\" VolumeLifecycleMode. Other drivers can leave pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only support one mode when deployed on such a cluster and the deployment determines which mode that is, for example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable.",
    (s) => s.podInfoOnMount ?? false,
  ),
  column(
    "StorageCapacity",
    "boolean",
    "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new volumes with late binding will pause until the driver deployment has published some suitable CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it can be flipped later when storage capacity information has been published.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable.",
    (s) => s.storageCapacity ?? false,
  ),
  column(
    "TokenRequests",
    "string",
    "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: \"csi.storage.k8s.io/serviceAccount.tokens\": {\n  \"<audience>\": {\n    \"token\": <token>,\n    \"expirationTimestamp\": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically.",
    (s) => (s.tokenRequests ? s.tokenRequests.map((t) => t.audience).join(",") : "<unset>"),
  ),
  column(
    "RequiresRepublish",
    "boolean",
    "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container.",
    (s) => s.requiresRepublish ?? false,
  ),
  column(
    "Modes",
    "string",
    "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is \"Ephemeral\". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable.",
    (s) => (s.volumeLifecycleModes?.length ? s.volumeLifecycleModes.join(",") : "<none>"),
  ),
  ageColumn,
];

export const csiDriverDefinition: ResourceDefinition = {
  group: STORAGE_GROUP,
  version: "v1",
  kind: "CSIDriver",
  plural: "csidrivers",
  singular: "csidriver",
  namespaced: false,
  printerColumns: columns,
  strategy,
};
