/** The networking.k8s.io group's resources. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { ingressClassDefinition } from "./ingressclasses.ts";
import { ingressDefinition } from "./ingresses.ts";
import { networkPolicyDefinition } from "./networkpolicies.ts";

export const networkingDefinitions: ResourceDefinition[] = [ingressClassDefinition, ingressDefinition, networkPolicyDefinition];
