import { expect, test } from "bun:test";
import { type DeletionReport, updateConditions } from "./conditions.ts";

const clean: DeletionReport = { contentErrors: [], remaining: new Map(), finalizersRemaining: new Map() };

test("a clean pass sets every condition False with upstream's wording", () => {
  const { conditions, changed } = updateConditions([], clean, "T1");
  expect(changed).toBe(true);
  expect(conditions).toEqual([
    { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered", message: "All resources successfully discovered", lastTransitionTime: "T1" },
    { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed", lastTransitionTime: "T1" },
    { type: "NamespaceDeletionContentFailure", status: "False", reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization", lastTransitionTime: "T1" },
    { type: "NamespaceContentRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed", lastTransitionTime: "T1" },
    { type: "NamespaceFinalizersRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed", lastTransitionTime: "T1" },
  ]);
  expect(updateConditions(conditions, clean, "T2").changed).toBe(false);
});

test("remaining content and finalizers, sorted as upstream lists them; transition times move only when the status flips", () => {
  const first = updateConditions([], clean, "T1").conditions;
  const report: DeletionReport = {
    discoveryError: "Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: example.com/v1: boom",
    contentErrors: ["b failed", "a failed"],
    remaining: new Map([
      ["pods.", 2],
      ["configmaps.", 1],
      ["widgets.example.com", 3],
    ]),
    finalizersRemaining: new Map([
      ["example.com/hold", 4],
      ["a.io/x", 1],
    ]),
  };
  const { conditions, changed } = updateConditions(first, report, "T2");
  expect(changed).toBe(true);
  const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
  expect(byType.NamespaceDeletionDiscoveryFailure).toMatchObject({ status: "True", reason: "DiscoveryFailed", lastTransitionTime: "T2" });
  expect(byType.NamespaceDeletionContentFailure).toMatchObject({ status: "True", reason: "ContentDeletionFailed", message: "Failed to delete all resource types, 2 remaining: a failed, b failed" });
  expect(byType.NamespaceContentRemaining).toMatchObject({
    status: "True",
    reason: "SomeResourcesRemain",
    message: "Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances, widgets.example.com has 3 resource instances",
  });
  expect(byType.NamespaceFinalizersRemaining).toMatchObject({
    status: "True",
    reason: "SomeFinalizerRemain",
    message: "Some finalizers are remaining: a.io/x in 1 resource instances, example.com/hold in 4 resource instances",
  });
  expect(byType.NamespaceDeletionGroupVersionParsingFailure!.lastTransitionTime).toBe("T1");
});

test("conditions of other types are kept in place", () => {
  const other = { type: "Example", status: "True", reason: "Mine", message: "mine" };
  expect(updateConditions([other], clean, "T").conditions[0]).toEqual(other);
});
