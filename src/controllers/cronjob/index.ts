export { CronJobController, SCHEDULED_TIMESTAMP_ANNOTATION, type CronJobControllerOptions } from "./cronjob-controller.ts";
export { parseSchedule, ScheduleError, type Schedule } from "./schedule.ts";
