import { describe, expect, test } from "bun:test";
import { persistentVolumeDefinition as def } from "./persistentvolume.ts";
import { ago, create, ctx, headers, row, selectable, update } from "./testing.ts";

const pv = (spec: object, extra: object = {}) => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv1" }, spec, ...extra });
const hostPathSpec = { capacity: { storage: "1024Mi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data/pv1" } };

describe("persistentvolumes", () => {
  test("defaults and the Pending status of a new volume", () => {
    const { obj, errors } = create(def, pv(hostPathSpec));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      hostPath: { path: "/data/pv1", type: "" },
      persistentVolumeReclaimPolicy: "Retain",
      volumeMode: "Filesystem",
    });
    expect(obj.status).toEqual({ phase: "Pending", lastPhaseTransitionTime: new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, "Z") });
  });

  test.each<[string, object, string[]]>([
    ["no source", { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] }, ["spec: Required value: must specify a volume type"]],
    [
      "two sources",
      { ...hostPathSpec, nfs: { server: "nfs", path: "/x" } },
      ["spec.nfs: Forbidden: may not specify more than 1 volume type"],
    ],
    ["no access modes", { capacity: { storage: "1Gi" }, hostPath: { path: "/x" } }, ["spec.accessModes: Required value"]],
    ["capacity must be storage", { ...hostPathSpec, capacity: { cpu: "1" } }, ['spec.capacity: Unsupported value: {"cpu":"1"}: supported values: "storage"']],
    ["zero storage", { ...hostPathSpec, capacity: { storage: "0" } }, ['spec.capacity[storage]: Invalid value: "0": must be greater than zero']],
    ["local without node affinity", { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], local: { path: "/mnt/disk" } }, ["spec.nodeAffinity: Required value: Local volume requires node affinity"]],
    ["recycling /", { ...hostPathSpec, hostPath: { path: "/" }, persistentVolumeReclaimPolicy: "Recycle" }, ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"]],
  ])("%s", (_n, spec, want) => {
    expect(create(def, pv(spec)).errors).toEqual(want);
  });

  test("the source is immutable", () => {
    const stored = create(def, pv(hostPathSpec)).obj;
    const { errors } = update(def, pv({ ...hostPathSpec, hostPath: { path: "/data/other" } }), stored);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toStartWith("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n");
    expect(update(def, pv({ ...hostPathSpec, persistentVolumeReclaimPolicy: "Delete" }), stored).errors).toEqual([]);
  });

  test("table", () => {
    expect(headers(def)).toEqual(["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode(wide)"]);
    const bound = pv(
      { ...hostPathSpec, capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce", "ReadOnlyMany"], persistentVolumeReclaimPolicy: "Delete", claimRef: { namespace: "default", name: "data" }, storageClassName: "local-path", volumeMode: "Filesystem" },
      { metadata: { name: "pv1", creationTimestamp: ago(120_000) }, status: { phase: "Bound" } },
    );
    expect(row(def, bound)).toEqual({
      Name: "pv1",
      Capacity: "5Gi",
      "Access Modes": "RWO,ROX",
      "Reclaim Policy": "Delete",
      Status: "Bound",
      Claim: "default/data",
      StorageClass: "local-path",
      VolumeAttributesClass: "<unset>",
      Reason: "",
      Age: "2m",
      VolumeMode: "Filesystem",
    });
    expect(selectable(def, bound)).toEqual({ name: "pv1" });
  });
});
