import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { storageClassDefinition as def } from "./storageclasses.ts";

const sc = (extra: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "local-path", ...(annotations ? { annotations } : {}) },
  provisioner: "rancher.io/local-path",
  ...extra,
});

describe("storageclasses: defaults and validation", () => {
  test("reclaimPolicy defaults to Delete and volumeBindingMode to Immediate", () => {
    const { obj, errors } = create(def, sc({}));
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({ provisioner: "rancher.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
  });

  test("given values are kept; an empty parameters map is dropped as Go's omitempty drops it", () => {
    const { obj } = create(def, sc({ reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", parameters: {} }));
    expect(obj).toMatchObject({ reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" });
    expect(obj).not.toHaveProperty("parameters");
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["no provisioner", { provisioner: undefined }, ["provisioner: Required value"]],
    [
      "a provisioner that is no qualified name (reported lower-cased)",
      { provisioner: "Example.COM/my provisioner" },
      [
        `provisioner: Invalid value: "example.com/my provisioner": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
    ],
    ["a Recycle reclaim policy", { reclaimPolicy: "Recycle" }, ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']],
    ["an unknown binding mode", { volumeBindingMode: "Later" }, ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"']],
    ["an empty parameter key", { parameters: { "": "x" } }, ['parameters: Invalid value: "": field can not be empty.']],
    [
      "topology terms with missing values, a duplicate key and a repeated term",
      {
        allowedTopologies: [
          { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["a", "a"] }] },
          { matchLabelExpressions: [{ key: "zone", values: [] }, { key: "zone", values: ["b"] }] },
          { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["a"] }] },
        ],
      },
      [
        'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"',
        "allowedTopologies[1].matchLabelExpressions[0].values: Required value",
        'allowedTopologies[1].matchLabelExpressions[1].key: Duplicate value: "zone"',
        'allowedTopologies[2].matchLabelExpressions: Duplicate value: ""',
      ],
    ],
  ])("rejects %s", (_, extra, messages) => {
    expect(create(def, sc(extra)).errors).toEqual(messages);
  });
});

describe("storageclasses: update", () => {
  const old = create(def, sc({ parameters: { type: "ssd" }, volumeBindingMode: "WaitForFirstConsumer" })).obj;

  test("labels, mount options and expansion may change", () => {
    expect(update(def, { ...old, allowVolumeExpansion: true, mountOptions: ["ro"] }, old).errors).toEqual([]);
  });

  test("provisioner, parameters, reclaimPolicy and volumeBindingMode may not", () => {
    const changed = { ...old, provisioner: "example.com/other", parameters: { type: "hdd" }, reclaimPolicy: "Retain", volumeBindingMode: "Immediate" };
    expect(update(def, changed, old).errors).toEqual([
      "parameters: Forbidden: updates to parameters are forbidden.",
      "provisioner: Forbidden: updates to provisioner are forbidden.",
      "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
      'volumeBindingMode: Invalid value: "Immediate": field is immutable',
    ]);
  });

  test("a PUT without the defaulted fields gets them again and is no change", () => {
    const put = { ...old };
    delete put.reclaimPolicy;
    expect(update(def, put, old).errors).toEqual([]);
  });
});

describe("storageclasses: table", () => {
  test("NAME (with the default marker) PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE", () => {
    const obj = { ...create(def, sc({ volumeBindingMode: "WaitForFirstConsumer" }, { "storageclass.kubernetes.io/is-default-class": "true" })).obj };
    obj.metadata = { ...obj.metadata, creationTimestamp: new Date(NOW - 86_400_000).toISOString() };
    expect(cells(def, obj)).toEqual({
      Name: "local-path (default)",
      Provisioner: "rancher.io/local-path",
      ReclaimPolicy: "Delete",
      VolumeBindingMode: "WaitForFirstConsumer",
      AllowVolumeExpansion: false,
      Age: "24h",
    });
  });

  test("the beta annotation marks the default too; other values do not", () => {
    expect(cells(def, sc({}, { "storageclass.beta.kubernetes.io/is-default-class": "true" })).Name).toBe("local-path (default)");
    expect(cells(def, sc({}, { "storageclass.kubernetes.io/is-default-class": "yes" })).Name).toBe("local-path");
    expect(cells(def, sc({ allowVolumeExpansion: true })).AllowVolumeExpansion).toBe(true);
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "storage.k8s.io", plural: "storageclasses", shortNames: ["sc"], namespaced: false });
    expect(def.tracksGeneration).toBeUndefined();
  });
});
