/**
 * Wire shapes of the storage.k8s.io/v1 types, from @kubernetes/client-node's models. Fields the
 * models call required may still be missing in what a client sends (and Go's zero-valued,
 * non-omitempty fields read back as null): validators read them with fallbacks.
 */
import type {
  StorageV1TokenRequest,
  V1CSIDriver,
  V1CSIDriverSpec,
  V1CSINode,
  V1CSINodeDriver,
  V1StorageClass,
  V1TopologySelectorTerm,
  V1VolumeAttachment,
  V1VolumeAttachmentSource,
  V1VolumeAttachmentSpec,
} from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export const STORAGE_GROUP = "storage.k8s.io";

export type StorageClass = Wire<V1StorageClass>;
export type TopologySelectorTerm = Wire<V1TopologySelectorTerm>;

export type CSIDriverSpec = Wire<V1CSIDriverSpec>;
export type CSIDriver = Wire<V1CSIDriver>;
export type TokenRequest = Wire<StorageV1TokenRequest>;

/** `drivers` and `topologyKeys` have no omitempty upstream, so they read back as null when unset. */
export type CSINodeDriver = Omit<Wire<V1CSINodeDriver>, "topologyKeys"> & { topologyKeys?: string[] | null };
export type CSINode = Omit<Wire<V1CSINode>, "spec"> & { spec?: { drivers?: CSINodeDriver[] | null } };

export type VolumeAttachmentSource = Wire<V1VolumeAttachmentSource>;
export type VolumeAttachmentSpec = Partial<Wire<V1VolumeAttachmentSpec>>;
export type VolumeAttachment = Omit<Wire<V1VolumeAttachment>, "spec"> & { spec?: VolumeAttachmentSpec };

export { view } from "../../api/types.ts";
