/**
 * core/v1 ComponentStatus (upstream pkg/registry/core/componentstatus): a read-only view of the
 * control plane's health, computed on each read. kts runs the scheduler, the controllers and the
 * datastore inside the server process, so while the server answers they are up: each reports
 * Healthy with the message their /healthz would give ("ok").
 */
import type { V1ComponentStatus } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition } from "../../registry/definition.ts";
import { PlainServerError } from "../../api/plain-error.ts";
import { nameColumn } from "../printing.ts";
import { column } from "./columns.ts";

type ComponentStatus = Wire<V1ComponentStatus>;

/** The components upstream's GetServersToValidate checks, with one etcd member. */
const COMPONENTS = ["controller-manager", "etcd-0", "scheduler"];

function componentStatus(name: string): KubeObject {
  const status: ComponentStatus = {
    kind: "ComponentStatus",
    apiVersion: "v1",
    // Nothing is stored, so there is no creation time (Go's zero time encodes as null).
    metadata: { name, creationTimestamp: null as unknown as string },
    conditions: [{ type: "Healthy", status: "True", message: "ok" }],
  };
  return status as unknown as KubeObject;
}

/** upstream's printComponentStatus: the Healthy condition's status, message and error. */
function healthy(obj: ComponentStatus): { status: string; message: string; error: string } {
  const c = (obj.conditions ?? []).find((x) => x.type === "Healthy");
  if (!c) return { status: "Unknown", message: "", error: "" };
  return { status: c.status === "True" ? "Healthy" : "Unhealthy", message: c.message ?? "", error: c.error ?? "" };
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<ComponentStatus>("Status", "Status of the component conditions", (o) => healthy(o).status),
  column<ComponentStatus>("Message", "Message of the component conditions", (o) => healthy(o).message),
  column<ComponentStatus>("Error", "Error of the component conditions", (o) => healthy(o).error),
];

export const componentStatusDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ComponentStatus",
  plural: "componentstatuses",
  singular: "componentstatus",
  shortNames: ["cs"],
  namespaced: false,
  verbs: ["get", "list"],
  printerColumns,
  computed: {
    list: async () => COMPONENTS.map(componentStatus),
    missing: (name) => new PlainServerError(`Component not found: ${name}`),
  },
  // The type is marked deprecated in 1.19 (prerelease-lifecycle-gen), so every request gets upstream's warning.
  deprecationWarning: "v1 ComponentStatus is deprecated in v1.19+",
};
