import { describe, expect, test } from "bun:test";
import { fitErrorMessage } from "./fit-error.ts";
import { NodeToStatus } from "./framework.ts";
import { numFeasibleNodesToFind, selectHost } from "./schedule-pod.ts";
import { Status } from "./status.ts";

describe("FitError message", () => {
  test("reasons counted over nodes, sorted as strings; the PostFilter message follows", () => {
    const s = new NodeToStatus();
    s.set("a", Status.unschedulable("Insufficient cpu", "Insufficient memory"));
    s.set("b", Status.unresolvable("node(s) had untolerated taint {k: v}"));
    s.set("c", Status.unschedulable("Insufficient cpu"));
    expect(fitErrorMessage(3, { statuses: s, preFilterMsg: "", postFilterMsg: "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling." })).toBe(
      "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  test("nodes without an entry count with the absent status; a PreFilter rejection replaces the node reasons", () => {
    const s = new NodeToStatus();
    s.absent = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
    s.set("a", Status.unresolvable("node(s) didn't match Pod's node affinity/selector"));
    expect(fitErrorMessage(4, { statuses: s, preFilterMsg: "", postFilterMsg: "" })).toBe(
      "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
    expect(fitErrorMessage(4, { statuses: new NodeToStatus(), preFilterMsg: 'persistentvolumeclaim "data" not found', postFilterMsg: "" })).toBe(
      '0/4 nodes are available: persistentvolumeclaim "data" not found.',
    );
  });
});

describe("node search", () => {
  test("upstream's adaptive share of nodes to find: all below 100, 50% − n/125 (at least 5%), at least 100", () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(200)).toBe(100);
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000);
  });

  test("the best score wins; ties are broken at random", () => {
    expect(selectHost([10, 50, 20])).toBe(1);
    const picks = new Set<number>();
    for (let i = 0; i < 200; i++) picks.add(selectHost([5, 9, 9, 1, 9]));
    expect([...picks].sort()).toEqual([1, 2, 4]);
  });
});
