/**
 * The container runtime layer of the agent: Docker Engine through the lean DockerEngine client
 * (engine.ts; dockerode fits the same DockerApi), the labels that tie containers to pods and nodes,
 * and Docker's event stream.
 */
export * from "./labels.ts";
export { Runtime, isNotFound, demuxBuffer, type ContainerDetails, type ContainerState, type ExecResult, type RuntimeContainer } from "./docker.ts";
export { watchDockerEvents, type DockerEventHandlers } from "./events.ts";
export { Backoff, goDuration } from "./backoff.ts";
export * from "./types.ts";
export { parseQuantity, milliValue, wholeValue } from "./quantity.ts";
export { DockerEngine, DockerError, type DockerApi, type ContainerApi, type ExecApi, type ImageApi } from "./engine.ts";
