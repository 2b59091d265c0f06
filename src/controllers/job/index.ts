export { JobController, type JobControllerOptions } from "./job-controller.ts";
export { JOB_TRACKING_FINALIZER, COMPLETION_INDEX } from "./job-pods.ts";
export { isJobFinished, finishedConditionType } from "./conditions.ts";
