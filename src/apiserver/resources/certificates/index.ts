/** The certificates.k8s.io API group: CertificateSigningRequests (signed later by a controller). */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { certificateSigningRequestDefinition } from "./certificatesigningrequests.ts";

export const certificatesDefinitions: ResourceDefinition[] = [certificateSigningRequestDefinition];
