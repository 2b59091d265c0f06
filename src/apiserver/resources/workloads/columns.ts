/**
 * Table columns the workload types share (upstream's printers.go): the -o wide CONTAINERS and
 * IMAGES of a pod template, a SELECTOR, and integer cells read from a path.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn } from "../../registry/definition.ts";
import { pathValue } from "../printing.ts";
export { formatLabels } from "../core/columns.ts";
import { formatLabelSelector, type LabelSelectorObject } from "./label-selector.ts";

interface NamedImage {
  name?: string;
  image?: string;
}

/** The containers of the pod template at `templatePath` (e.g. ["spec", "template"]). */
function templateContainers(obj: KubeObject, templatePath: readonly string[]): NamedImage[] {
  const containers = pathValue(obj, [...templatePath, "spec", "containers"]);
  return Array.isArray(containers) ? (containers as NamedImage[]) : [];
}

/** upstream's layoutContainerCells: names and images, each joined with ",". */
export function containerCells(containers: NamedImage[]): { names: string; images: string } {
  return { names: containers.map((c) => c.name ?? "").join(","), images: containers.map((c) => c.image ?? "").join(",") };
}

export function containersColumn(templatePath: readonly string[]): PrinterColumn {
  return {
    name: "Containers",
    type: "string",
    format: "",
    description: "Names of each container in the template.",
    priority: 1,
    cell: (obj) => containerCells(templateContainers(obj, templatePath)).names,
  };
}

export function imagesColumn(templatePath: readonly string[]): PrinterColumn {
  return {
    name: "Images",
    type: "string",
    format: "",
    description: "Images referenced by each container in the template.",
    priority: 1,
    cell: (obj) => containerCells(templateContainers(obj, templatePath)).images,
  };
}

/** -o wide's CONTAINERS and IMAGES of the pod template at `templatePath`. */
export function templateColumns(templatePath: readonly string[]): PrinterColumn[] {
  return [containersColumn(templatePath), imagesColumn(templatePath)];
}

/** -o wide's SELECTOR: the label selector at `path`, printed by `print` (metav1.FormatLabelSelector by default). */
export function selectorColumn(description: string, path: readonly string[], print: (selector: LabelSelectorObject | undefined) => string = formatLabelSelector): PrinterColumn {
  return { name: "Selector", type: "string", format: "", description, priority: 1, cell: (obj) => print(pathValue(obj, path) as LabelSelectorObject | undefined) };
}

/** READY of Deployments and StatefulSets: "<status.readyReplicas>/<spec.replicas>". */
export const readyOfReplicasColumn: PrinterColumn = {
  name: "Ready",
  type: "string",
  format: "",
  description: "Number of the pod with ready state",
  priority: 0,
  cell: (obj) => `${intAt(obj, ["status", "readyReplicas"])}/${intAt(obj, ["spec", "replicas"])}`,
};

/** A column of an int32 field printed as upstream's int64 cell; absent fields are 0, as in Go. */
export function integerColumn(name: string, description: string, path: readonly string[], type: PrinterColumn["type"] = "integer"): PrinterColumn {
  return { name, type, format: "", description, priority: 0, cell: (obj) => intAt(obj, path) };
}

/** A number at a path, or Go's zero value. */
export function intAt(obj: unknown, path: readonly string[]): number {
  const v = pathValue(obj, path);
  return typeof v === "number" ? v : 0;
}
