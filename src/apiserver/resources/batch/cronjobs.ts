/**
 * batch/v1 CronJob (upstream SetDefaults_CronJob, ValidateCronJob*, the cronjob strategy and
 * printCronJob).
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { age, ageColumn, nameColumn } from "../printing.ts";
import { selectorColumn, templateColumns } from "../workloads/columns.ts";
import { JOB_SELECTOR_DESCRIPTION } from "./job-columns.ts";
import { podNameWarnings } from "../workloads/pod-template.ts";
import { keepOldStatus, resetStatus } from "../workloads/status.ts";
import { rememberUpdate, storedObjectOf } from "../workloads/update-context.ts";
import { validateCronJob } from "./cronjob-validation.ts";
import { defaultJobTemplate } from "./job-defaults.ts";
import { type CronJob, type CronJobSpec, view } from "./types.ts";

const cronJob = (obj: KubeObject) => view<CronJob>(obj);

/** SetDefaults_CronJob plus the job template's nested defaults. */
export function defaultCronJob(cj: CronJob): void {
  const spec: CronJobSpec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultJobTemplate((spec.jobTemplate ??= {}));
}

const TZ_WARNING =
  "cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details";

const strategy: Strategy = {
  defaults: (obj) => defaultCronJob(cronJob(obj)),
  prepareForCreate: resetStatus,
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    rememberUpdate(obj, old);
  },
  validate(obj) {
    const stored = storedObjectOf(obj);
    return validateCronJob(cronJob(obj), stored && cronJob(stored));
  },
  // Upstream's update warning names the field "spec.spec.schedule"; kept verbatim.
  warnings: (obj, old) => (old ? (cronJob(obj).spec?.schedule?.includes("TZ") ? [TZ_WARNING] : []) : podNameWarnings(obj.metadata?.name)),
};

/** printBoolPtr */
function boolCell(value: boolean | undefined): string {
  if (value == null) return "<unset>";
  return value ? "True" : "False";
}

const columns: PrinterColumn[] = [
  nameColumn,
  { name: "Schedule", type: "string", format: "", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", priority: 0, cell: (obj) => cronJob(obj).spec?.schedule ?? "" },
  {
    name: "Timezone",
    type: "string",
    format: "",
    description:
      "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
    priority: 0,
    cell: (obj) => cronJob(obj).spec?.timeZone ?? "<none>",
  },
  {
    name: "Suspend",
    type: "boolean",
    format: "",
    description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
    priority: 0,
    cell: (obj) => boolCell(cronJob(obj).spec?.suspend),
  },
  { name: "Active", type: "integer", format: "", description: "A list of pointers to currently running jobs.", priority: 0, cell: (obj) => cronJob(obj).status?.active?.length ?? 0 },
  {
    name: "Last Schedule",
    type: "string",
    format: "",
    description: "Information when was the last time the job was successfully scheduled.",
    priority: 0,
    cell: (obj, now) => {
      const last = cronJob(obj).status?.lastScheduleTime;
      return last ? age(last, now) : "<none>";
    },
  },
  ageColumn,
  ...templateColumns(["spec", "jobTemplate", "spec", "template"]),
  selectorColumn(JOB_SELECTOR_DESCRIPTION, ["spec", "jobTemplate", "spec", "selector"]),
];

export const cronJobDefinition: ResourceDefinition = {
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  singular: "cronjob",
  shortNames: ["cj"],
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
