import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { volumeAttachmentDefinition as def } from "./volumeattachments.ts";

/** What the attach/detach controller creates for a CSI volume. */
const va = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "VolumeAttachment",
  metadata: { name: "csi-0123abcd" },
  spec: { attacher: "hostpath.csi.k8s.io", nodeName: "node1", source: { persistentVolumeName: "pv-1" }, ...spec },
});

describe("volumeattachments", () => {
  test("a new attachment is not attached yet, whatever the client says", () => {
    const { obj, errors } = create(def, { ...va({}), status: { attached: true } });
    expect(errors).toEqual([]);
    expect(obj.status).toEqual({ attached: false });
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "no attacher",
      { attacher: "" },
      [
        "spec.attacher: Required value",
        "spec.attacher: Required value",
        `spec.attacher: Invalid value: "": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    ["no source", { source: {} }, ["spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"]],
    [
      "both sources",
      { source: { persistentVolumeName: "pv", inlineVolumeSpec: { csi: { driver: "d", volumeHandle: "h" } } } },
      ["spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName"],
    ],
    ["an empty PV name", { source: { persistentVolumeName: "" } }, ["spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName"]],
    [
      "a node name that is no DNS subdomain",
      { nodeName: "Node_1" },
      [
        `spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, va(spec)).errors).toEqual(messages);
  });

  test("the spec is immutable; status comes from storage on the main endpoint", () => {
    const old: KubeObject = { ...create(def, va({})).obj, status: { attached: true } };
    const same = update(def, { ...va({}), status: { attached: false } }, old);
    expect(same.errors).toEqual([]);
    expect(same.obj.status).toEqual({ attached: true });
    expect(update(def, va({ nodeName: "node2" }), old).errors).toEqual([
      'spec: Invalid value: storage.VolumeAttachmentSpec{Attacher:"hostpath.csi.k8s.io", Source:storage.VolumeAttachmentSource{PersistentVolumeName:(*string)(0xc000010000), InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"node2"}: field is immutable',
    ]);
  });

  test("prints NAME ATTACHER PV NODE ATTACHED AGE", () => {
    const obj = { ...va({}), metadata: { name: "csi-0123abcd", creationTimestamp: new Date(NOW - 4_000).toISOString() }, status: { attached: true } };
    expect(cells(def, obj)).toEqual({ Name: "csi-0123abcd", Attacher: "hostpath.csi.k8s.io", PV: "pv-1", Node: "node1", Attached: true, Age: "4s" });
    expect(def.printerColumns?.[1]?.format).toBe("name");
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "storage.k8s.io", plural: "volumeattachments", namespaced: false, statusSubresource: true });
  });
});
