import { expect, test } from "bun:test";
import { ALL_VERBS, type Verb } from "../../registry/definition.ts";
import { coreDefinitions } from "./index.ts";

const NO_COLLECTION = ALL_VERBS.filter((v) => v !== "deletecollection");

/** What `kubectl api-resources -o wide` and the etcd layout show for core/v1 on 1.32. */
const expected: Array<[string, string, string, string[], string[], boolean, Verb[], string, boolean, boolean]> = [
  // plural, singular, kind, shortNames, categories, namespaced, verbs, storage, /status, generation
  ["bindings", "binding", "Binding", [], [], true, ["create"], "bindings", false, false],
  ["componentstatuses", "componentstatus", "ComponentStatus", ["cs"], [], false, ["get", "list"], "componentstatuses", false, false],
  ["configmaps", "configmap", "ConfigMap", ["cm"], [], true, ALL_VERBS, "configmaps", false, false],
  ["endpoints", "endpoints", "Endpoints", ["ep"], [], true, ALL_VERBS, "services/endpoints", false, false],
  ["events", "event", "Event", ["ev"], [], true, ALL_VERBS, "events", false, false],
  ["limitranges", "limitrange", "LimitRange", ["limits"], [], true, ALL_VERBS, "limitranges", false, false],
  ["namespaces", "namespace", "Namespace", ["ns"], [], false, NO_COLLECTION, "namespaces", true, false],
  ["nodes", "node", "Node", ["no"], [], false, ALL_VERBS, "minions", true, false],
  ["persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", ["pvc"], [], true, ALL_VERBS, "persistentvolumeclaims", true, false],
  ["persistentvolumes", "persistentvolume", "PersistentVolume", ["pv"], [], false, ALL_VERBS, "persistentvolumes", true, false],
  ["pods", "pod", "Pod", ["po"], ["all"], true, ALL_VERBS, "pods", true, false],
  ["podtemplates", "podtemplate", "PodTemplate", [], [], true, ALL_VERBS, "podtemplates", false, true],
  ["replicationcontrollers", "replicationcontroller", "ReplicationController", ["rc"], ["all"], true, ALL_VERBS, "controllers", true, true],
  ["resourcequotas", "resourcequota", "ResourceQuota", ["quota"], [], true, ALL_VERBS, "resourcequotas", true, false],
  ["secrets", "secret", "Secret", [], [], true, ALL_VERBS, "secrets", false, false],
  ["serviceaccounts", "serviceaccount", "ServiceAccount", ["sa"], [], true, ALL_VERBS, "serviceaccounts", false, false],
  ["services", "service", "Service", ["svc"], ["all"], true, ALL_VERBS, "services/specs", true, false],
];

test.each(expected)("%s", (plural, singular, kind, shortNames, categories, namespaced, verbs, storage, status, generation) => {
  const def = coreDefinitions.find((d) => d.plural === plural);
  expect(def).toBeDefined();
  expect([def!.group, def!.version, def!.singular, def!.kind]).toEqual(["", "v1", singular, kind]);
  expect(def!.shortNames ?? []).toEqual(shortNames);
  expect(def!.categories ?? []).toEqual(categories);
  expect(def!.namespaced).toBe(namespaced);
  expect([...(def!.verbs ?? [])].sort()).toEqual([...verbs].sort());
  expect(def!.storagePath ?? def!.plural).toBe(storage);
  expect(def!.statusSubresource ?? false).toBe(status);
  expect(def!.tracksGeneration ?? false).toBe(generation);
});

test("every core/v1 type is defined once, with a Table and a strategy", () => {
  expect(coreDefinitions.map((d) => d.plural).sort()).toEqual(expected.map((e) => e[0]).sort());
  // Bindings are only ever POSTed (and answered with a Status): there is nothing to print.
  for (const def of coreDefinitions.filter((d) => !d.virtual)) {
    expect(def.printerColumns?.length).toBeGreaterThan(1);
    expect(def.printerColumns?.filter((c) => c.format === "name")).toHaveLength(1);
  }
});

test("events expire after an hour; replicationcontrollers scale", () => {
  expect(coreDefinitions.find((d) => d.plural === "events")?.ttlSeconds).toBe(3600);
  expect(coreDefinitions.find((d) => d.plural === "replicationcontrollers")?.scale).toEqual({
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "spec.selector",
  });
});
