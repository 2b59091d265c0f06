/**
 * CronJob validation (upstream ValidateCronJobCreate / ValidateCronJobUpdate): the schedule,
 * the time zone, the concurrency policy and the job template.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { cronScheduleError } from "./cron-schedule.ts";
import { validateJobSpec } from "./job-spec-validation.ts";
import { timeZoneError } from "./time-zone.ts";
import type { CronJob, CronJobSpec, JobTemplateSpec } from "./types.ts";

/** The controller names Jobs "<cronjob>-<11 characters>" and Job names stop at 63. */
const MAX_NAME = 52;
const CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"];
/** IANA's naming rules, plus digits and '+' for legacy names. */
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateSchedule(spec: CronJobSpec, old: CronJobSpec | undefined, path: FieldPath): FieldError[] {
  const schedule = spec.schedule ?? "";
  if (schedule === "") return [field.required(path)];
  const errs: FieldError[] = [];
  const parseError = cronScheduleError(schedule);
  if (parseError) errs.push(field.invalid(path, schedule, parseError));
  // Schedules stored with TZ= before the timeZone field existed may keep it, without timeZone.
  const allowTZ = old?.schedule?.includes("TZ") ?? false;
  if (allowTZ && schedule.includes("TZ") && spec.timeZone != null) {
    errs.push(field.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  } else if (!allowTZ && schedule.includes("TZ")) {
    errs.push(field.invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  return errs;
}

function validateTimeZone(timeZone: string | undefined, path: FieldPath): FieldError[] {
  if (timeZone == null) return [];
  if (timeZone === "") return [field.invalid(path, timeZone, "timeZone must be nil or non-empty string")];
  const badPart = timeZone.split("/").some((p) => p === "." || p === ".." || p.startsWith("-") || !TIME_ZONE_PART.test(p));
  if (badPart) return [field.invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === "local") errs.push(field.invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  const loadError = timeZoneError(timeZone);
  if (loadError) errs.push(field.invalid(path, timeZone, loadError));
  return errs;
}

function validateConcurrencyPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  if (!policy) return [field.required(path)];
  return CONCURRENCY_POLICIES.includes(policy) ? [] : [field.notSupported(path, policy, CONCURRENCY_POLICIES)];
}

/** upstream's ValidateJobTemplateSpec: a JobSpec whose selector the Jobs will get generated. */
function validateJobTemplate(template: JobTemplateSpec | undefined, path: FieldPath): FieldError[] {
  const spec = template?.spec ?? {};
  const specPath = path.child("spec");
  const errs = validateJobSpec(spec, specPath);
  if (spec.selector != null) errs.push(field.invalid(specPath.child("selector"), spec.selector, "`selector` will be auto-generated"));
  if (spec.manualSelector === true) errs.push(field.notSupported(specPath.child("manualSelector"), true, ["nil", "false"]));
  return errs;
}

/** validateCronJobSpec; `old` is the stored spec on update. */
export function validateCronJobSpec(spec: CronJobSpec, old: CronJobSpec | undefined): FieldError[] {
  const path = FieldPath.root("spec");
  const errs = validateSchedule(spec, old, path.child("schedule"));
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, path.child("startingDeadlineSeconds")));
  // A stored zone that has since vanished from the database does not block other updates.
  if (!old || old.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, path.child("timeZone")));
  errs.push(...validateConcurrencyPolicy(spec.concurrencyPolicy, path.child("concurrencyPolicy")));
  errs.push(...validateJobTemplate(spec.jobTemplate, path.child("jobTemplate")));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, path.child("successfulJobsHistoryLimit")));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, path.child("failedJobsHistoryLimit")));
  return errs;
}

/** ValidateCronJobCreate / ValidateCronJobUpdate (the name length is a create-only rule). */
export function validateCronJob(cronJob: CronJob, stored: CronJob | undefined): FieldError[] {
  const errs = validateCronJobSpec(cronJob.spec ?? {}, stored ? (stored.spec ?? {}) : undefined);
  const name = cronJob.metadata?.name ?? "";
  if (!stored && name.length > MAX_NAME) errs.push(field.invalid(FieldPath.root("metadata").child("name"), name, `must be no more than ${MAX_NAME} characters`));
  return errs;
}
