import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { persistentVolumeClaimDefinition as def } from "./persistentvolumeclaim.ts";
import { ago, create, headers, row, selectable, update } from "./testing.ts";

const pvc = (spec: object, extra: object = {}) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec, ...extra });
const basic = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } };

describe("persistentvolumeclaims", () => {
  test("a new claim reads back as on 1.32", () => {
    const { obj, errors } = create(def, pvc(basic));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" });
    expect(obj.status).toEqual({ phase: "Pending" });
  });

  test("data sources are mirrored into dataSourceRef", () => {
    const src = { kind: "PersistentVolumeClaim", name: "origin" };
    const { obj } = create(def, pvc({ ...basic, dataSource: src }));
    expect((obj.spec as { dataSourceRef: object }).dataSourceRef).toEqual(src);
  });

  test.each<[string, object, string[]]>([
    ["no access modes", { resources: { requests: { storage: "1Gi" } } }, ["spec.accessModes: Required value: at least 1 access mode is required"]],
    ["no storage request", { accessModes: ["ReadWriteOnce"] }, ["spec.resources[storage]: Required value"]],
    [
      "bad access mode",
      { ...basic, accessModes: ["ReadWriteOncePod", "ReadWriteMany", "WriteOnly"] },
      [
        'spec.accessModes: Unsupported value: "WriteOnly": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
        "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
      ],
    ],
    ["bad volume mode", { ...basic, volumeMode: "Raw" }, ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"']],
  ])("%s", (_n, spec, want) => {
    expect(create(def, pvc(spec)).errors).toEqual(want);
  });

  test("spec is immutable except a bound claim's storage request and the binder's volumeName", () => {
    const pending = create(def, pvc(basic)).obj;
    expect(update(def, pvc({ ...basic, volumeName: "pv-1" }), pending).errors).toEqual([]);
    const grown = update(def, pvc({ ...basic, resources: { requests: { storage: "2Gi" } } }), pending).errors;
    expect(grown[0]).toStartWith("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n");
    const bound = { ...pending, spec: { ...(pending.spec as object), volumeName: "pv-1" }, status: { phase: "Bound", capacity: { storage: "1Gi" } } } as KubeObject;
    const next = { ...pvc({ ...basic, volumeName: "pv-1", resources: { requests: { storage: "2Gi" } } }), status: bound.status };
    expect(update(def, next, bound).errors).toEqual([]);
  });

  test("table: capacity and access modes appear once bound", () => {
    expect(headers(def)).toEqual(["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode(wide)"]);
    const meta = { metadata: { name: "data", creationTimestamp: ago(45_000) } };
    expect(row(def, pvc({ ...basic, volumeMode: "Filesystem" }, { ...meta, status: { phase: "Pending" } }))).toEqual({
      Name: "data",
      Status: "Pending",
      Volume: "",
      Capacity: "",
      "Access Modes": "",
      StorageClass: "",
      VolumeAttributesClass: "<unset>",
      Age: "45s",
      VolumeMode: "Filesystem",
    });
    const bound = pvc({ ...basic, volumeName: "pvc-123", storageClassName: "local-path" }, { ...meta, status: { phase: "Bound", capacity: { storage: "1024Mi" }, accessModes: ["ReadWriteOnce"] } });
    const r = row(def, bound);
    expect([r.Status, r.Volume, r.Capacity, r["Access Modes"], r.StorageClass]).toEqual(["Bound", "pvc-123", "1Gi", "RWO", "local-path"]);
    expect(selectable(def, bound)).toEqual({ name: "data" });
  });
});
