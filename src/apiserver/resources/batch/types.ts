/**
 * Wire shapes of batch/v1 Job and CronJob from @kubernetes/client-node. Specs are Partial: they
 * are whatever JSON the client sent until validation has looked at them.
 */
import type { V1CronJob, V1CronJobSpec, V1Job, V1JobSpec, V1JobTemplateSpec } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export type JobSpec = Partial<Wire<V1JobSpec>>;
export type Job = Omit<Wire<V1Job>, "spec"> & { spec?: JobSpec };
export type JobTemplateSpec = Omit<Wire<V1JobTemplateSpec>, "spec"> & { spec?: JobSpec };

export type CronJobSpec = Omit<Partial<Wire<V1CronJobSpec>>, "jobTemplate"> & { jobTemplate?: JobTemplateSpec };
export type CronJob = Omit<Wire<V1CronJob>, "spec"> & { spec?: CronJobSpec };

export type PodFailurePolicy = NonNullable<JobSpec["podFailurePolicy"]>;
export type SuccessPolicy = NonNullable<JobSpec["successPolicy"]>;

export { view } from "../../api/types.ts";
