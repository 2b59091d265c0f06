/**
 * Every group schema we carry, keyed by the alias tables use for cross-group references
 * ("meta.ObjectMeta", "core.PodTemplateSpec").
 */
import { APPS_V1 } from "./apps-v1.ts";
import { AUTHENTICATION_V1 } from "./authentication-v1.ts";
import { AUTHORIZATION_V1 } from "./authorization-v1.ts";
import { AUTOSCALING_V1 } from "./autoscaling-v1.ts";
import { BATCH_V1 } from "./batch-v1.ts";
import { CERTIFICATES_V1 } from "./certificates-v1.ts";
import { COORDINATION_V1 } from "./coordination-v1.ts";
import { CORE_V1 } from "./core-v1.ts";
import { DISCOVERY_V1 } from "./discovery-v1.ts";
import { EVENTS_V1 } from "./events-v1.ts";
import { META_V1 } from "./meta-v1.ts";
import { NETWORKING_V1 } from "./networking-v1.ts";
import { POLICY_V1 } from "./policy-v1.ts";
import { RBAC_V1 } from "./rbac-v1.ts";
import { SCHEDULING_V1 } from "./scheduling-v1.ts";
import type { GroupSchema } from "./table.ts";

export type { FieldEntry, FieldFlag, GroupSchema, MessageTable } from "./table.ts";

export const SCHEMAS: Readonly<Record<string, GroupSchema>> = {
  meta: META_V1,
  core: CORE_V1,
  apps: APPS_V1,
  batch: BATCH_V1,
  autoscaling: AUTOSCALING_V1,
  coordination: COORDINATION_V1,
  events: EVENTS_V1,
  authentication: AUTHENTICATION_V1,
  authorization: AUTHORIZATION_V1,
  certificates: CERTIFICATES_V1,
  policy: POLICY_V1,
  rbac: RBAC_V1,
  networking: NETWORKING_V1,
  scheduling: SCHEDULING_V1,
  discovery: DISCOVERY_V1,
};
