/**
 * A pod's volumes on the node, under `<dataDir>/pods/<uid>/volumes/<plugin>/<name>` like the
 * kubelet's: emptyDir, hostPath, and the API-backed configMap, secret, downwardAPI and projected
 * volumes (rewritten atomically when their sources change). Set-up is idempotent: the pod worker
 * calls it before starting containers and again on resyncs to pick up changed ConfigMaps/Secrets.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Volume } from "../runtime/index.ts";
import { wholeValue } from "../runtime/index.ts";
import { writeAtomically } from "./atomic-writer.ts";
import { diskUsageBytes, setUpEmptyDir, setUpHostPath, tearDownMount } from "./local.ts";
import { apiVolumeFiles, type SourceContext } from "./sources.ts";

export { fieldValue, formatMap, resourceValue, type NodeAllocatable, type ResourceRef, type RuntimeIPs } from "./downward.ts";
export { writeAtomically, setGroupOwnership, type Payload, type FileProjection } from "./atomic-writer.ts";
export type { SourceContext, TokenRequester } from "./sources.ts";

export interface PodVolumesContext extends SourceContext {
  /** `<dataDir>/pods/<uid>`. */
  podDir: string;
}

export interface MountedVolume {
  name: string;
  hostPath: string;
  /** API-backed volumes are always mounted read-only (upstream's ReadOnlyAPIDataVolumes). */
  readOnly: boolean;
  /** For emptyDir on disk with a sizeLimit: the limit in bytes (enforced by eviction). */
  sizeLimitBytes?: number;
}

/** A volume that could not be set up; the pod reports it as FailedMount. */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
  }
}

const PLUGIN: Record<string, string> = {
  emptyDir: "kubernetes.io~empty-dir",
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
};

function volumeType(vol: Volume): string {
  return Object.keys(vol).find((k) => k !== "name") ?? "";
}

async function setUpOne(ctx: PodVolumesContext, vol: Volume): Promise<MountedVolume> {
  const type = volumeType(vol);
  const fsGroup = ctx.pod.spec?.securityContext?.fsGroup;
  if (type === "hostPath") return { name: vol.name, hostPath: setUpHostPath(vol), readOnly: false };
  const plugin = PLUGIN[type];
  if (!plugin) {
    if (type === "persistentVolumeClaim") throw new Error(`persistentVolumeClaim volumes are not supported yet (claim "${vol.persistentVolumeClaim?.claimName}")`);
    throw new Error(`volume type ${type || "(none)"} is not supported by this node`);
  }
  const dir = join(ctx.podDir, "volumes", plugin, vol.name);
  if (type === "emptyDir") {
    setUpEmptyDir(vol, dir, fsGroup, ctx.node.memoryBytes);
    const limit = vol.emptyDir?.sizeLimit !== undefined && vol.emptyDir.medium !== "Memory" ? wholeValue(vol.emptyDir.sizeLimit) : undefined;
    return { name: vol.name, hostPath: dir, readOnly: false, sizeLimitBytes: limit };
  }
  const files = await apiVolumeFiles(ctx, vol);
  writeAtomically(dir, files ?? new Map(), { fsGroup });
  return { name: vol.name, hostPath: dir, readOnly: true };
}

/** Sets up (or refreshes) every volume of the pod; throws VolumeError for the first that fails. */
export async function setUpPodVolumes(ctx: PodVolumesContext): Promise<Map<string, MountedVolume>> {
  const out = new Map<string, MountedVolume>();
  for (const vol of ctx.pod.spec?.volumes ?? []) {
    try {
      out.set(vol.name, await setUpOne(ctx, vol));
    } catch (err) {
      throw new VolumeError(vol.name, err instanceof Error ? err.message : String(err));
    }
  }
  return out;
}

/** Unmounts the pod's memory-backed volumes and removes its data directory. */
export function tearDownPodDir(podDir: string): void {
  const empty = join(podDir, "volumes", PLUGIN.emptyDir!);
  if (existsSync(empty)) for (const name of readdirSync(empty)) tearDownMount(join(empty, name));
  rmSync(podDir, { recursive: true, force: true });
}

/** emptyDir volumes over their sizeLimit: [volume name, used bytes, limit text]. */
export function emptyDirsOverLimit(volumes: Map<string, MountedVolume>, specs: Volume[]): Array<{ name: string; used: number; limit: string }> {
  const over: Array<{ name: string; used: number; limit: string }> = [];
  for (const v of volumes.values()) {
    if (v.sizeLimitBytes === undefined) continue;
    const used = diskUsageBytes(v.hostPath);
    if (used > v.sizeLimitBytes) over.push({ name: v.name, used, limit: String(specs.find((s) => s.name === v.name)?.emptyDir?.sizeLimit ?? v.sizeLimitBytes) });
  }
  return over;
}
