/**
 * The conditions the namespace controller keeps on a terminating namespace (upstream's
 * namespace deletion status conditions), with upstream's types, reasons and messages: each
 * failure type is True with what went wrong, or False with its "all is well" wording.
 */
import type { V1NamespaceCondition } from "@kubernetes/client-node";
import type { Wire } from "../../apiserver/api/types.ts";

export type NamespaceCondition = Wire<V1NamespaceCondition>;

/** What one pass of content deletion found. */
export interface DeletionReport {
  /** Listing the served resources failed. */
  discoveryError?: string;
  /** One message per resource whose content could not be deleted. */
  contentErrors: string[];
  /** "resource.group" -> objects left (only resources with some left). */
  remaining: Map<string, number>;
  /** finalizer -> objects left holding it. */
  finalizersRemaining: Map<string, number>;
}

const TYPES = ["NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining"] as const;
type ConditionType = (typeof TYPES)[number];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
  NamespaceDeletionGroupVersionParsingFailure: { reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
  NamespaceDeletionContentFailure: { reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
  NamespaceContentRemaining: { reason: "ContentRemoved", message: "All content successfully removed" },
  NamespaceFinalizersRemaining: { reason: "ContentRemoved", message: "All content successfully removed" },
};

/** Sorted "<key> <verb> <n> resource instances" items, as upstream lists them. */
function counts(map: Map<string, number>, format: (key: string, n: number) => string): string {
  return [...map]
    .filter(([, n]) => n > 0)
    .map(([k, n]) => format(k, n))
    .sort()
    .join(", ");
}

function failures(report: DeletionReport): Map<ConditionType, { reason: string; message: string }> {
  const out = new Map<ConditionType, { reason: string; message: string }>();
  if (report.discoveryError) out.set("NamespaceDeletionDiscoveryFailure", { reason: "DiscoveryFailed", message: report.discoveryError });
  if (report.contentErrors.length > 0) {
    const msgs = [...report.contentErrors].sort();
    out.set("NamespaceDeletionContentFailure", { reason: "ContentDeletionFailed", message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(", ")}` });
  }
  if (report.remaining.size > 0) {
    // Upstream prints resource.group, so core resources read "pods." .
    out.set("NamespaceContentRemaining", { reason: "SomeResourcesRemain", message: `Some resources are remaining: ${counts(report.remaining, (k, n) => `${k} has ${n} resource instances`)}` });
  }
  if (report.finalizersRemaining.size > 0) {
    out.set("NamespaceFinalizersRemaining", {
      reason: "SomeFinalizerRemain",
      message: `Some finalizers are remaining: ${counts(report.finalizersRemaining, (k, n) => `${k} in ${n} resource instances`)}`,
    });
  }
  return out;
}

/**
 * The namespace's conditions after this report: every controller-kept type present, existing
 * entries updated in place (their transition time kept unless the status flips), others kept.
 */
export function updateConditions(existing: readonly NamespaceCondition[], report: DeletionReport, now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = existing.map((c) => ({ ...c }));
  const failed = failures(report);
  let changed = false;
  for (const type of TYPES) {
    const failure = failed.get(type);
    const wanted = { type, status: failure ? "True" : "False", ...(failure ?? OK[type]) };
    const old = conditions.find((c) => c.type === type);
    if (!old) {
      conditions.push({ ...wanted, lastTransitionTime: now });
      changed = true;
    } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
      if (old.status !== wanted.status) old.lastTransitionTime = now;
      Object.assign(old, wanted);
      changed = true;
    }
  }
  return { conditions, changed };
}
