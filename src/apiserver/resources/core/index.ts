/**
 * The core/v1 ("legacy" group) resource definitions served under /api/v1.
 */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { componentStatusDefinition } from "./componentstatus.ts";
import { configMapDefinition } from "./configmap.ts";
import { endpointsDefinition } from "./endpoints.ts";
import { eventDefinition } from "./event.ts";
import { limitRangeDefinition } from "./limitrange.ts";
import { namespaceDefinition } from "./namespace.ts";
import { nodeDefinition } from "./node.ts";
import { persistentVolumeDefinition } from "./persistentvolume.ts";
import { persistentVolumeClaimDefinition } from "./persistentvolumeclaim.ts";
import { podDefinition } from "./pod.ts";
import { bindingDefinition } from "./pod-binding.ts";
import { podTemplateDefinition } from "./podtemplate.ts";
import { replicationControllerDefinition } from "./replicationcontroller.ts";
import { resourceQuotaDefinition } from "./resourcequota.ts";
import { secretDefinition } from "./secret.ts";
import { serviceDefinition } from "./service.ts";
import { serviceAccountDefinition } from "./serviceaccount.ts";

export const coreDefinitions: ResourceDefinition[] = [
  bindingDefinition,
  componentStatusDefinition,
  configMapDefinition,
  endpointsDefinition,
  eventDefinition,
  limitRangeDefinition,
  namespaceDefinition,
  nodeDefinition,
  persistentVolumeClaimDefinition,
  persistentVolumeDefinition,
  podDefinition,
  podTemplateDefinition,
  replicationControllerDefinition,
  resourceQuotaDefinition,
  secretDefinition,
  serviceAccountDefinition,
  serviceDefinition,
];
