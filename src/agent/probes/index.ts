/**
 * Container probes and handlers: startup, liveness and readiness workers with every timing field,
 * and the httpGet / tcpSocket / exec / grpc checks they (and lifecycle hooks) run.
 */
export { ContainerProbes, type ProbeHooks, type ProbeKind } from "./worker.ts";
export { runHandler, resolvePort, type ProbeTarget } from "./run.ts";
export { httpGet, type CheckResult, type HttpCheck } from "./http.ts";
export { tcpConnect, dialError } from "./tcp.ts";
