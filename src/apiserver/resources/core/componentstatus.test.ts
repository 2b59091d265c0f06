import { expect, test } from "bun:test";
import { PlainServerError } from "../../api/plain-error.ts";
import { GenericStore } from "../../registry/store.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { cells } from "../workloads/testing.ts";
import { componentStatusDefinition as def } from "./componentstatus.ts";

test("componentstatuses: the control plane, Healthy, computed on read and never stored", async () => {
  const backend = tempStore();
  try {
    const store = new GenericStore(def, backend);
    const list = await store.list("");
    expect(list.metadata).toEqual({});
    expect(list.items.map((o) => o.metadata?.name)).toEqual(["controller-manager", "etcd-0", "scheduler"]);
    expect(await store.get("", "scheduler")).toEqual({
      kind: "ComponentStatus",
      apiVersion: "v1",
      metadata: { name: "scheduler", creationTimestamp: null as unknown as string },
      conditions: [{ type: "Healthy", status: "True", message: "ok" }],
    });
    expect(backend.currentRevision()).toBe(1);
    const missing = await store.get("", "kubelet").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PlainServerError);
    expect((missing as PlainServerError).toStatus()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Component not found: kubelet", code: 500 });
    const byName = await store.list("", { name: "etcd-0" });
    expect(byName.items).toHaveLength(1);
  } finally {
    await backend.dispose();
  }
});

test("componentstatuses: read-only, deprecated, and printed NAME STATUS MESSAGE ERROR", async () => {
  expect(def.verbs).toEqual(["get", "list"]);
  expect(def.deprecationWarning).toBe("v1 ComponentStatus is deprecated in v1.19+");
  const [first] = await def.computed!.list();
  expect(cells(def, first!)).toEqual({ Name: "controller-manager", Status: "Healthy", Message: "ok", Error: "" });
  expect(cells(def, { metadata: { name: "x" }, conditions: [{ type: "Healthy", status: "False", message: "down", error: "refused" }] })).toEqual({ Name: "x", Status: "Unhealthy", Message: "down", Error: "refused" });
  expect(cells(def, { metadata: { name: "y" } })).toEqual({ Name: "y", Status: "Unknown", Message: "", Error: "" });
});
