/** The storage.k8s.io group's resources (CSIStorageCapacity and VolumeAttributesClass are not served). */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { csiDriverDefinition } from "./csidrivers.ts";
import { csiNodeDefinition } from "./csinodes.ts";
import { storageClassDefinition } from "./storageclasses.ts";
import { volumeAttachmentDefinition } from "./volumeattachments.ts";

export const storageDefinitions: ResourceDefinition[] = [csiDriverDefinition, csiNodeDefinition, storageClassDefinition, volumeAttachmentDefinition];
