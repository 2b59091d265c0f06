/**
 * The Job table (upstream printJob): STATUS from the conditions, COMPLETIONS, DURATION.
 */
import type { V1JobCondition } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { PrinterColumn } from "../../registry/definition.ts";
import { age, ageColumn, humanDuration, nameColumn } from "../printing.ts";
import { selectorColumn, templateColumns } from "../workloads/columns.ts";
import { type Job, view } from "./types.ts";

const job = (obj: KubeObject) => view<Job>(obj);

type JobCondition = Wire<V1JobCondition>;

/** The first condition of a type decides, as upstream's hasJobCondition. */
function conditionTrue(conditions: JobCondition[] | undefined, type: string): boolean {
  return conditions?.find((c) => c.type === type)?.status === "True";
}

export function jobStatus(j: Job): string {
  const conditions = j.status?.conditions;
  if (conditionTrue(conditions, "Complete")) return "Complete";
  if (conditionTrue(conditions, "Failed")) return "Failed";
  if (j.metadata?.deletionTimestamp) return "Terminating";
  if (conditionTrue(conditions, "Suspended")) return "Suspended";
  if (conditionTrue(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

export function jobCompletions(j: Job): string {
  const succeeded = j.status?.succeeded ?? 0;
  if (j.spec?.completions != null) return `${succeeded}/${j.spec.completions}`;
  const parallelism = j.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Start to completion, or start to now while running; empty before the Job starts. */
export function jobDuration(j: Job, now: number): string {
  const start = j.status?.startTime;
  if (!start) return "";
  const end = j.status?.completionTime;
  return end ? humanDuration(Date.parse(end) - Date.parse(start)) : age(start, now);
}

/** The SELECTOR column's description for Jobs and CronJobs (JobSpec.selector's). */
export const JOB_SELECTOR_DESCRIPTION =
  "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";

export const jobColumns: PrinterColumn[] = [
  nameColumn,
  { name: "Status", type: "string", format: "", description: "Status of the job.", priority: 0, cell: (obj) => jobStatus(job(obj)) },
  {
    name: "Completions",
    type: "string",
    format: "",
    description:
      "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
    priority: 0,
    cell: (obj) => jobCompletions(job(obj)),
  },
  { name: "Duration", type: "string", format: "", description: "Time required to complete the job.", priority: 0, cell: (obj, now) => jobDuration(job(obj), now) },
  ageColumn,
  ...templateColumns(["spec", "template"]),
  selectorColumn(JOB_SELECTOR_DESCRIPTION, ["spec", "selector"]),
];
