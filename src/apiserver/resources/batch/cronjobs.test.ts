import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { cronJobDefinition as def } from "./cronjobs.ts";

/** `kubectl create cronjob hello --image=busybox:1.28 --schedule="*\/1 * * * *" --dry-run=client -o json` */
const kubectlCreate = (spec: Record<string, unknown> = {}): KubeObject => ({
  kind: "CronJob",
  apiVersion: "batch/v1",
  metadata: { name: "hello", creationTimestamp: null as unknown as string },
  spec: {
    schedule: "*/1 * * * *",
    jobTemplate: {
      metadata: { name: "hello", creationTimestamp: null },
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: { containers: [{ name: "hello", image: "busybox:1.28", resources: {} }], restartPolicy: "OnFailure" },
        },
      },
    },
    ...spec,
  },
  status: {},
});

const specOf = (obj: KubeObject) => obj.spec as Record<string, unknown>;

describe("cronjobs: defaults", () => {
  test("kubectl create cronjob is stored as kube-apiserver 1.32 stores it", () => {
    const { obj, errors } = create(def, kubectlCreate());
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      concurrencyPolicy: "Allow",
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { creationTimestamp: null, name: "hello" },
        spec: {
          template: {
            metadata: { creationTimestamp: null },
            spec: {
              containers: [
                { image: "busybox:1.28", imagePullPolicy: "IfNotPresent", name: "hello", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" },
              ],
              dnsPolicy: "ClusterFirst",
              restartPolicy: "OnFailure",
              schedulerName: "default-scheduler",
              securityContext: {},
              terminationGracePeriodSeconds: 30,
            },
          },
        },
      },
      schedule: "*/1 * * * *",
      successfulJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(obj.status).toEqual({});
  });

  test("the job template gets no Job defaults (no backoffLimit, no selector)", () => {
    const jobSpec = (specOf(create(def, kubectlCreate()).obj).jobTemplate as { spec: Record<string, unknown> }).spec;
    expect(jobSpec.backoffLimit).toBeUndefined();
    expect(jobSpec.selector).toBeUndefined();
    const bare = create(def, { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "x" }, spec: { schedule: "@daily" } }).obj;
    expect(specOf(bare).jobTemplate).toMatchObject({ metadata: { creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null } } } });
  });
});

describe("cronjobs: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["no schedule", { schedule: "" }, ["spec.schedule: Required value"]],
    ["a four-field schedule", { schedule: "* * * *" }, ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]']],
    ["an out-of-range minute", { schedule: "61 * * * *" }, ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']],
    [
      "TZ in the schedule",
      { schedule: "TZ=UTC 0 * * * *" },
      ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ],
    ["an unknown time zone", { timeZone: "Mars/Olympus" }, ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
    ["an empty time zone", { timeZone: "" }, ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']],
    [
      "the Local time zone",
      { timeZone: "Local" },
      ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ],
    ["a malformed time zone", { timeZone: "America/-York" }, ['spec.timeZone: Invalid value: "America/-York": unknown time zone America/-York']],
    ["a bad concurrency policy", { concurrencyPolicy: "Queue" }, ['spec.concurrencyPolicy: Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"']],
    ["a negative history limit", { failedJobsHistoryLimit: -1 }, ["spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]],
    ["a negative deadline", { startingDeadlineSeconds: -10 }, ["spec.startingDeadlineSeconds: Invalid value: -10: must be greater than or equal to 0"]],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, kubectlCreate(spec)).errors).toEqual(messages);
  });

  test.each(["@hourly", "0 9 * * MON-FRI", "30 2 1 */2 *"])("accepts the schedule %p", (schedule) => {
    expect(create(def, kubectlCreate({ schedule, timeZone: "Europe/Berlin" })).errors).toEqual([]);
  });

  test("the job template is a JobSpec without selector, with Job pods", () => {
    const cj = kubectlCreate();
    const jobSpec = ((cj.spec as Record<string, unknown>).jobTemplate as { spec: Record<string, unknown> }).spec;
    Object.assign(jobSpec, { selector: { matchLabels: { a: "b" } }, manualSelector: true, parallelism: -1 });
    (jobSpec.template as { spec: Record<string, unknown> }).spec.restartPolicy = "Always";
    expect(create(def, cj).errors).toEqual([
      "spec.jobTemplate.spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
      'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"',
    ]);
  });

  test("names are capped at 52 characters on create only", () => {
    const long = kubectlCreate();
    long.metadata!.name = "a".repeat(53);
    expect(create(def, long).errors).toEqual([`metadata.name: Invalid value: "${"a".repeat(53)}": must be no more than 52 characters`]);
    const stored = { ...create(def, kubectlCreate()).obj, metadata: { ...long.metadata } };
    expect(update(def, structuredClone(stored), stored).errors).toEqual([]);
  });

  test("a TZ schedule stored before timeZone existed may stay, but not together with timeZone", () => {
    const stored = { ...create(def, kubectlCreate()).obj, spec: { ...specOf(create(def, kubectlCreate()).obj), schedule: "TZ=UTC 0 * * * *" } };
    expect(update(def, structuredClone(stored), stored).errors).toEqual([]);
    const both = { ...stored, spec: { ...specOf(stored), timeZone: "UTC" } };
    expect(update(def, both, stored).errors).toEqual(['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
    expect(def.strategy!.warnings!(both, stored)).toEqual([
      "cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
    ]);
  });
});

describe("cronjobs: table", () => {
  test("SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE and the wide columns", () => {
    const obj = create(def, kubectlCreate()).obj;
    obj.metadata!.creationTimestamp = new Date(NOW - 3600_000).toISOString();
    expect(cells(def, obj)).toEqual({
      Name: "hello",
      Schedule: "*/1 * * * *",
      Timezone: "<none>",
      Suspend: "False",
      Active: 0,
      "Last Schedule": "<none>",
      Age: "60m",
      Containers: "hello",
      Images: "busybox:1.28",
      Selector: "<none>",
    });
    const running = { ...obj, spec: { ...specOf(obj), timeZone: "Etc/UTC", suspend: true }, status: { active: [{ name: "hello-1" }], lastScheduleTime: new Date(NOW - 30_000).toISOString() } };
    expect(cells(def, running)).toMatchObject({ Timezone: "Etc/UTC", Suspend: "True", Active: 1, "Last Schedule": "30s" });
  });

  test("discovery", () => {
    expect(def).toMatchObject({ group: "batch", plural: "cronjobs", shortNames: ["cj"], categories: ["all"], statusSubresource: true, tracksGeneration: true });
  });
});
