import { describe, expect, test } from "bun:test";
import { builtinPatchSchema, isBuiltinKind } from "./builtin-types.ts";

const at = (group: string, kind: string, path: string) => builtinPatchSchema(group, kind)!(path.split("."));

describe("metadata of built-in kinds (from k8s.io/api struct tags)", () => {
  const cases: Array<[group: string, kind: string, path: string, want: unknown]> = [
    ["", "Pod", "spec.containers", { strategy: "merge", mergeKey: "name" }],
    ["", "Pod", "spec.initContainers", { strategy: "merge", mergeKey: "name" }],
    ["", "Pod", "spec.containers.ports", { strategy: "merge", mergeKey: "containerPort" }],
    ["", "Pod", "spec.containers.env", { strategy: "merge", mergeKey: "name" }],
    ["", "Pod", "spec.containers.volumeMounts", { strategy: "merge", mergeKey: "mountPath" }],
    ["", "Pod", "spec.ephemeralContainers.volumeDevices", { strategy: "merge", mergeKey: "devicePath" }],
    ["", "Pod", "spec.volumes", { strategy: "merge,retainKeys", mergeKey: "name" }],
    ["", "Pod", "spec.imagePullSecrets", { strategy: "merge", mergeKey: "name" }],
    ["", "Pod", "spec.hostAliases", { strategy: "merge", mergeKey: "ip" }],
    ["", "Pod", "spec.topologySpreadConstraints", { strategy: "merge", mergeKey: "topologyKey" }],
    ["", "Pod", "status.conditions", { strategy: "merge", mergeKey: "type" }],
    ["", "Pod", "status.podIPs", { strategy: "merge", mergeKey: "ip" }],
    ["", "Pod", "status.containerStatuses.volumeMounts", { strategy: "merge", mergeKey: "mountPath" }],
    ["", "Pod", "metadata.ownerReferences", { strategy: "merge", mergeKey: "uid" }],
    ["", "Pod", "metadata.finalizers", { strategy: "merge" }],
    ["", "Service", "spec.ports", { strategy: "merge", mergeKey: "port" }],
    ["", "ServiceAccount", "secrets", { strategy: "merge", mergeKey: "name" }],
    ["", "Node", "spec.podCIDRs", { strategy: "merge" }],
    ["", "Node", "status.addresses", { strategy: "merge", mergeKey: "type" }],
    ["", "PodTemplate", "template.spec.containers", { strategy: "merge", mergeKey: "name" }],
    ["", "ReplicationController", "spec.template.metadata.finalizers", { strategy: "merge" }],
    ["apps", "Deployment", "spec.strategy", { strategy: "retainKeys" }],
    ["apps", "Deployment", "spec.template.spec.containers.ports", { strategy: "merge", mergeKey: "containerPort" }],
    ["apps", "Deployment", "status.conditions", { strategy: "merge", mergeKey: "type" }],
    ["apps", "StatefulSet", "spec.volumeClaimTemplates.metadata.ownerReferences", { strategy: "merge", mergeKey: "uid" }],
    ["apps", "DaemonSet", "spec.template.spec.volumes", { strategy: "merge,retainKeys", mergeKey: "name" }],
    ["batch", "Job", "spec.template.spec.containers.env", { strategy: "merge", mergeKey: "name" }],
    ["batch", "Job", "status.conditions", { strategy: "merge", mergeKey: "type" }],
    ["batch", "CronJob", "spec.jobTemplate.spec.template.spec.containers", { strategy: "merge", mergeKey: "name" }],
    ["policy", "PodDisruptionBudget", "spec.selector", { strategy: "replace" }],
    ["coordination.k8s.io", "Lease", "metadata.finalizers", { strategy: "merge" }],
    ["", "ConfigMap", "metadata.ownerReferences", { strategy: "merge", mergeKey: "uid" }],
  ];
  for (const [group, kind, path, want] of cases) test(`${kind} ${path}`, () => expect(at(group, kind, path)).toEqual(want as never));

  const none: Array<[string, string, string]> = [
    ["", "Pod", "spec.containers.args"],
    ["", "Pod", "spec.tolerations"],
    ["", "Pod", "metadata.labels"],
    ["", "Endpoints", "subsets"],
    ["coordination.k8s.io", "Lease", "spec"],
    ["events.k8s.io", "Event", "series"],
    ["apps", "Deployment", "spec.containers"],
  ];
  for (const [group, kind, path] of none) test(`${kind} ${path} has no metadata (replaced)`, () => expect(at(group, kind, path)).toBeUndefined());
});

describe("which kinds take strategic merge patches", () => {
  test("built-in kinds do", () => {
    for (const [g, k] of [["", "Pod"], ["", "ConfigMap"], ["apps", "Deployment"], ["batch", "CronJob"], ["coordination.k8s.io", "Lease"], ["events.k8s.io", "Event"], ["autoscaling", "Scale"]]) {
      expect(isBuiltinKind(g!, k!)).toBe(true);
      expect(builtinPatchSchema(g!, k!)).toBeFunction();
    }
  });
  test("custom resources and kinds in the wrong group do not", () => {
    for (const [g, k] of [["example.com", "Widget"], ["apps", "Pod"], ["", "Deployment"], ["gateway.networking.k8s.io", "Gateway"]]) {
      expect(builtinPatchSchema(g!, k!)).toBeUndefined();
    }
  });
});
