/**
 * Preload for pod-startup.ts: serves `import Docker from "dockerode"` with the agent's lean
 * DockerEngine, to measure what an agent that does not load dockerode (ssh2, gRPC, protobuf)
 * costs in memory. Used as `bun --preload scripts/bench/lean-docker-preload.ts cmd/kts.ts agent …`.
 */
import { plugin } from "bun";
import { DockerEngine } from "../../src/agent/runtime/index.ts";

plugin({
  name: "lean-docker",
  setup(build) {
    build.module("dockerode", () => ({ exports: { default: DockerEngine }, loader: "object" }));
  },
});
