/**
 * kube-controller-manager flags that kts's controllers understand, as k3s passes them with
 * --kube-controller-manager-arg key=value: the --controllers list and the tuning of the node
 * lifecycle, pod GC, Job and EndpointSlice controllers. Unknown keys are an error at start.
 */
import type { ControllerOptions } from "./index.ts";
import { parseGoDuration } from "./common/duration.ts";

type Setter = (o: ControllerOptions, value: string) => void;

function int(key: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw new Error(`invalid value "${value}" for --${key}: not an integer`);
  return Number.parseInt(value, 10);
}

function float(key: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`invalid value "${value}" for --${key}: not a number`);
  return n;
}

function duration(key: string, value: string): number {
  try {
    return parseGoDuration(value);
  } catch (err) {
    throw new Error(`invalid value "${value}" for --${key}: ${(err as Error).message}`);
  }
}

function maskSize(key: string, value: string): number {
  const n = int(key, value);
  if (n < 8 || n > 30) throw new Error(`invalid value "${value}" for --${key}: must be between 8 and 30`);
  return n;
}

const FLAGS: Record<string, Setter> = {
  controllers: (o, v) => (o.controllers = v.split(",").map((c) => c.trim())),
  "node-monitor-period": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, monitorPeriodMs: duration("node-monitor-period", v) }),
  "node-monitor-grace-period": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, gracePeriodMs: duration("node-monitor-grace-period", v) }),
  "node-startup-grace-period": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, startupGracePeriodMs: duration("node-startup-grace-period", v) }),
  "node-eviction-rate": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, evictionRate: float("node-eviction-rate", v) }),
  "secondary-node-eviction-rate": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, secondaryEvictionRate: float("secondary-node-eviction-rate", v) }),
  "large-cluster-size-threshold": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, largeClusterThreshold: int("large-cluster-size-threshold", v) }),
  "unhealthy-zone-threshold": (o, v) => (o.nodeLifecycle = { ...o.nodeLifecycle, unhealthyZoneThreshold: float("unhealthy-zone-threshold", v) }),
  "terminated-pod-gc-threshold": (o, v) => (o.podGc = { ...o.podGc, terminatedPodThreshold: int("terminated-pod-gc-threshold", v) }),
  "concurrent-job-syncs": (o, v) => (o.job = { ...o.job, workers: int("concurrent-job-syncs", v) }),
  "concurrent-cron-job-syncs": (o, v) => (o.cronJob = { ...o.cronJob, workers: int("concurrent-cron-job-syncs", v) }),
  "concurrent-endpoint-syncs": (o, v) => (o.endpoints = { ...o.endpoints, workers: int("concurrent-endpoint-syncs", v) }),
  "concurrent-service-endpoint-syncs": (o, v) => (o.endpointSlices = { ...o.endpointSlices, workers: int("concurrent-service-endpoint-syncs", v) }),
  "node-cidr-mask-size": (o, v) => (o.nodeIpam = { ...o.nodeIpam, nodeCidrMaskSize: maskSize("node-cidr-mask-size", v) }),
  "node-cidr-mask-size-ipv4": (o, v) => (o.nodeIpam = { ...o.nodeIpam, nodeCidrMaskSize: maskSize("node-cidr-mask-size-ipv4", v) }),
  "max-endpoints-per-slice": (o, v) => (o.endpointSlices = { ...o.endpointSlices, maxEndpointsPerSlice: int("max-endpoints-per-slice", v) }),
};

/**
 * Test hooks (environment, never set in production): upstream hard-codes the pod GC's 20 s period
 * and the 40 s a node must be gone before its pods are collected, which an end-to-end test of a
 * deleted Node cannot wait for. KTS_TEST_PODGC_PERIOD and KTS_TEST_PODGC_QUARANTINE (Go
 * durations) shorten them.
 */
const TEST_HOOKS: Record<string, Setter> = {
  KTS_TEST_PODGC_PERIOD: (o, v) => (o.podGc = { ...o.podGc, periodMs: duration("KTS_TEST_PODGC_PERIOD", v) }),
  KTS_TEST_PODGC_QUARANTINE: (o, v) => (o.podGc = { ...o.podGc, quarantineMs: duration("KTS_TEST_PODGC_QUARANTINE", v) }),
};

/** Controller options from --kube-controller-manager-arg pairs; throws on unknown keys or bad values. */
export function controllerOptionsFromArgs(args: Record<string, string>, env: Record<string, string | undefined> = process.env): ControllerOptions {
  const out: ControllerOptions = {};
  for (const [rawKey, value] of Object.entries(args)) {
    const key = rawKey.replace(/^--/, "");
    const set = FLAGS[key];
    if (!set) throw new Error(`unsupported --kube-controller-manager-arg "${key}" (supported: ${Object.keys(FLAGS).join(", ")})`);
    set(out, value);
  }
  for (const [name, set] of Object.entries(TEST_HOOKS)) {
    const value = env[name];
    if (value) set(out, value);
  }
  return out;
}
