/**
 * The PodSpec toolkit shared by every type that embeds pods (Pod, PodTemplate,
 * ReplicationController, Deployment, Job, ...): upstream's defaults and validation.
 */
export { defaultPodSpec, defaultPodTemplate, defaultContainer, defaultVolume, defaultEmbeddedMeta } from "./pod-spec-defaults.ts";
export { validatePodSpec, validatePodTemplateSpec, validatePodSpecificAnnotations, type PodSpecOptions } from "./pod-spec-validation.ts";
export type { Container, PodSpec, PodTemplateSpec, Volume } from "./types.ts";
