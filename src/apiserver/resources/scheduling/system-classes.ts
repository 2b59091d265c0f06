/**
 * The two built-in PriorityClasses (upstream's pkg/apis/scheduling/v1 SystemPriorityClasses),
 * which own the "system-" name prefix. kube-apiserver creates them at start; kts does the same
 * with bootstrapPriorityClasses().
 */
import type { KubeObject } from "../../api/types.ts";

export const SYSTEM_PREFIX = "system-";

interface SystemClass {
  name: string;
  value: number;
  description: string;
}

const SYSTEM_CLASSES: SystemClass[] = [
  { name: "system-node-critical", value: 2_000_001_000, description: "Used for system critical pods that must not be moved from their current node." },
  {
    name: "system-cluster-critical",
    value: 2_000_000_000,
    description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  },
];

/** Why a "system-" class is not one of the built-in ones (undefined when it is), worded as upstream. */
export function knownSystemClassProblem(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = SYSTEM_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  // Neither built-in class is the global default.
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

/** The built-in classes as kube-apiserver creates them (the API server then defaults preemptionPolicy). */
export function bootstrapPriorityClasses(): KubeObject[] {
  return SYSTEM_CLASSES.map(({ name, value, description }) => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    description,
  }));
}
