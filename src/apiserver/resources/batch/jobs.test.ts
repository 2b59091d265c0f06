import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, UID, update } from "../workloads/testing.ts";
import { jobDefinition as def } from "./jobs.ts";

const command = ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"];

/** `kubectl create job pi --image=perl:5.34.0 --dry-run=client -o json -- perl ...` */
const kubectlCreate = (spec: Record<string, unknown> = {}): KubeObject => ({
  kind: "Job",
  apiVersion: "batch/v1",
  metadata: { name: "pi", creationTimestamp: null as unknown as string },
  spec: {
    template: {
      metadata: { creationTimestamp: null as unknown as string },
      spec: { containers: [{ name: "pi", image: "perl:5.34.0", command, resources: {} }], restartPolicy: "Never" },
    },
    ...spec,
  },
  status: {},
});

const generatedLabels = { "batch.kubernetes.io/controller-uid": UID, "batch.kubernetes.io/job-name": "pi", "controller-uid": UID, "job-name": "pi" };
const specOf = (obj: KubeObject) => obj.spec as Record<string, unknown>;
const templateOf = (obj: KubeObject) => specOf(obj).template as { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> };

describe("jobs: defaults and the generated selector", () => {
  test("kubectl create job is stored as kube-apiserver 1.32 stores it", () => {
    const { obj, errors } = create(def, kubectlCreate());
    expect(errors).toEqual([]);
    expect(obj.metadata?.labels).toEqual(generatedLabels);
    expect(obj.spec).toEqual({
      backoffLimit: 6,
      completionMode: "NonIndexed",
      completions: 1,
      manualSelector: false,
      parallelism: 1,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": UID } },
      suspend: false,
      template: {
        metadata: { creationTimestamp: null, labels: generatedLabels },
        spec: {
          containers: [
            { command, image: "perl:5.34.0", imagePullPolicy: "IfNotPresent", name: "pi", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" },
          ],
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Never",
          schedulerName: "default-scheduler",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    });
    expect(obj.status).toEqual({});
  });

  test("parallelism alone leaves completions unset; backoffLimitPerIndex raises the backoff limit", () => {
    expect(specOf(create(def, kubectlCreate({ parallelism: 3 })).obj)).toMatchObject({ parallelism: 3, backoffLimit: 6 });
    expect(specOf(create(def, kubectlCreate({ parallelism: 3 })).obj).completions).toBeUndefined();
    const indexed = create(def, kubectlCreate({ completions: 4, completionMode: "Indexed", backoffLimitPerIndex: 1 })).obj;
    expect(specOf(indexed)).toMatchObject({ completions: 4, parallelism: 1, backoffLimit: 2147483647 });
  });

  test("a pod failure policy defaults pattern status and the replacement policy", () => {
    const obj = create(def, kubectlCreate({ podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] } })).obj;
    expect(specOf(obj).podReplacementPolicy).toBe("Failed");
    expect(specOf(obj).podFailurePolicy).toEqual({ rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }] });
  });

  test("labels the user set stay: on the Job, and on the template", () => {
    const job = kubectlCreate();
    job.metadata!.labels = { team: "a" };
    templateOf(job).metadata.labels = { app: "pi" };
    const { obj, errors } = create(def, job);
    expect(errors).toEqual([]);
    expect(obj.metadata?.labels).toEqual({ team: "a" });
    expect(templateOf(obj).metadata.labels).toEqual({ app: "pi", ...generatedLabels });
  });

  test("an unlabelled Job takes the template's labels as the user wrote them (before generation)", () => {
    const job = kubectlCreate();
    templateOf(job).metadata.labels = { app: "pi" };
    expect(create(def, job).obj.metadata?.labels).toEqual({ app: "pi" });
  });

  test("manualSelector: the user's selector is used as is", () => {
    const job = kubectlCreate({ manualSelector: true, selector: { matchLabels: { app: "pi" } } });
    templateOf(job).metadata.labels = { app: "pi" };
    const { obj, errors } = create(def, job);
    expect(errors).toEqual([]);
    expect(specOf(obj).selector).toEqual({ matchLabels: { app: "pi" } });
    expect(templateOf(obj).metadata.labels).toEqual({ app: "pi" });
  });
});

describe("jobs: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["negative parallelism", { parallelism: -1 }, ["spec.parallelism: Invalid value: -1: must be greater than or equal to 0"]],
    ["negative backoffLimit", { backoffLimit: -1 }, ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"]],
    ["a bad completion mode", { completionMode: "Sometimes" }, ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"']],
    ["per-index limits without Indexed", { backoffLimitPerIndex: 1 }, ["spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"]],
    [
      "maxFailedIndexes alone",
      { completionMode: "Indexed", completions: 3, maxFailedIndexes: 1 },
      ["spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"],
    ],
    [
      "Indexed without completions",
      { completionMode: "Indexed", parallelism: 2 },
      ["spec.completions: Required value: when completion mode is Indexed"],
    ],
    ["a bad replacement policy", { podReplacementPolicy: "Never" }, ['spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"']],
    ["a successPolicy on a NonIndexed job", { successPolicy: { rules: [{ succeededCount: 1 }] } }, ['spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode']],
    [
      "bad succeededIndexes",
      { completionMode: "Indexed", completions: 5, successPolicy: { rules: [{ succeededIndexes: "3-1,7" }] } },
      ['spec.successPolicy.rules[0].succeededIndexes: Invalid value: "3-1,7": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1'],
    ],
    [
      "a succeededCount above the indexes",
      { completionMode: "Indexed", completions: 5, successPolicy: { rules: [{ succeededIndexes: "0-1", succeededCount: 3 }] } },
      ["spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)"],
    ],
    ["a bad managedBy", { managedBy: "kueue" }, ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")']],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, kubectlCreate(spec)).errors).toEqual(messages);
  });

  test("pods must not restart Always (the default of an unset policy)", () => {
    const job = kubectlCreate();
    delete templateOf(job).spec.restartPolicy;
    expect(create(def, job).errors).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  test("a pod failure policy needs restartPolicy Never and well-formed rules", () => {
    const job = kubectlCreate({
      podFailurePolicy: {
        rules: [
          { action: "FailJob", onExitCodes: { containerName: "other", operator: "In", values: [3, 0, 1, 1] } },
          { action: "FailIndex", onPodConditions: [{ type: "DisruptionTarget" }] },
          { action: "Retry" },
        ],
      },
    });
    templateOf(job).spec.restartPolicy = "OnFailure";
    expect(create(def, job).errors).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "other": must be one of the container or initContainer names in the pod template',
      "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
      "spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 1",
      "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,0,1,1]: must be ordered",
      'spec.podFailurePolicy.rules[1].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
      'spec.podFailurePolicy.rules[2].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      "spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ]);
  });

  test("generated labels the user changed are rejected", () => {
    const job = kubectlCreate();
    templateOf(job).metadata.labels = { "job-name": "other" };
    expect(create(def, job).errors).toEqual([
      `spec.template.metadata.labels[job-name]: Invalid value: {"job-name":"other","batch.kubernetes.io/job-name":"pi","controller-uid":"${UID}","batch.kubernetes.io/controller-uid":"${UID}"}: must be 'pi'`,
    ]);
  });

  test("a selector other than the generated one is rejected", () => {
    const job = kubectlCreate({ selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "someone-else" } } });
    expect(create(def, job).errors).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"someone-else"}}: `selector` not auto-generated',
      `spec.template.metadata.labels: Invalid value: {"job-name":"pi","batch.kubernetes.io/job-name":"pi","controller-uid":"${UID}","batch.kubernetes.io/controller-uid":"${UID}"}: \`selector\` does not match template \`labels\``,
    ]);
  });

  test("a manual selector must select the template", () => {
    const job = kubectlCreate({ manualSelector: true, selector: { matchLabels: { app: "x" } } });
    expect(create(def, job).errors).toEqual(["spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`"]);
    expect(create(def, kubectlCreate({ manualSelector: true })).errors).toEqual([
      "spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
    ]);
  });

  test("Indexed pod hostnames must be DNS labels", () => {
    const job = kubectlCreate({ completionMode: "Indexed", completions: 3 });
    job.metadata!.name = "pi.v1";
    expect(create(def, job).errors).toContain('metadata.name: Invalid value: "pi.v1": will not able to create pod with invalid DNS label: pi.v1-2');
  });
});

describe("jobs: updates", () => {
  const stored = () => create(def, kubectlCreate({ parallelism: 2, completions: 4 })).obj;

  test("parallelism, suspend, activeDeadlineSeconds and labels may change", () => {
    const old = stored();
    const next = structuredClone(old);
    Object.assign(specOf(next), { parallelism: 5, suspend: true, activeDeadlineSeconds: 100 });
    next.metadata!.labels = { ...next.metadata!.labels, extra: "yes" };
    expect(update(def, next, old).errors).toEqual([]);
  });

  test("completions, selector, template and completionMode may not", () => {
    const old = stored();
    const next = structuredClone(old);
    Object.assign(specOf(next), { completions: 5 });
    templateOf(next).spec.containers = [{ name: "pi", image: "perl:5.36" }];
    const errors = update(def, next, old).errors;
    expect(errors[0]).toBe("spec.completions: Invalid value: 5: field is immutable");
    expect(errors[1]).toMatch(/^spec\.template: Invalid value: \{.*\}: field is immutable$/);
    expect(errors).toHaveLength(2);
  });

  test("Indexed jobs scale completions in step with parallelism", () => {
    const old = create(def, kubectlCreate({ completionMode: "Indexed", completions: 4, parallelism: 4 })).obj;
    const both = structuredClone(old);
    Object.assign(specOf(both), { completions: 6, parallelism: 6 });
    expect(update(def, both, old).errors).toEqual([]);
    const alone = structuredClone(old);
    Object.assign(specOf(alone), { completions: 6 });
    expect(update(def, alone, old).errors).toEqual(["spec.completions: Invalid value: 6: can only be modified in tandem with spec.parallelism"]);
  });

  test("a suspended Job that never ran may change its scheduling directives", () => {
    const old = create(def, kubectlCreate({ suspend: true })).obj;
    const next = structuredClone(old);
    Object.assign(templateOf(next).spec, { nodeSelector: { zone: "a" }, tolerations: [{ key: "gpu", operator: "Exists" }] });
    templateOf(next).metadata.labels = { ...templateOf(next).metadata.labels, queue: "q1" };
    expect(update(def, next, old).errors).toEqual([]);
    const started = { ...old, status: { startTime: "2025-01-01T00:00:00Z" } };
    expect(update(def, next, started).errors).toEqual([expect.stringMatching(/^spec\.template: .*field is immutable$/)]);
  });

  test("Jobs stored without the prefixed labels are not required to have them", () => {
    const legacy = create(def, kubectlCreate()).obj;
    const labels = { "controller-uid": UID, "job-name": "pi" };
    templateOf(legacy).metadata.labels = labels;
    specOf(legacy).selector = { matchLabels: { "controller-uid": UID } };
    expect(update(def, structuredClone(legacy), legacy).errors).toEqual([]);
  });
});

describe("jobs: table", () => {
  const at = (s: number) => new Date(NOW - s * 1000).toISOString();
  const withStatus = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({ ...create(def, kubectlCreate(spec)).obj, status });

  test.each<[string, KubeObject, Record<string, unknown>]>([
    ["running", withStatus({ startTime: at(75), active: 1 }), { Status: "Running", Completions: "0/1", Duration: "75s" }],
    ["complete", withStatus({ startTime: at(600), completionTime: at(540), succeeded: 1, conditions: [{ type: "Complete", status: "True" }] }), { Status: "Complete", Completions: "1/1", Duration: "60s" }],
    ["failed", withStatus({ startTime: at(600), failed: 7, conditions: [{ type: "FailureTarget", status: "True" }, { type: "Failed", status: "True" }] }), { Status: "Failed" }],
    ["suspended", withStatus({ conditions: [{ type: "Suspended", status: "True" }] }), { Status: "Suspended", Duration: "" }],
    ["failing", withStatus({ startTime: at(10), conditions: [{ type: "FailureTarget", status: "True" }] }), { Status: "FailureTarget" }],
    ["a work queue", withStatus({ succeeded: 2 }, { parallelism: 3 }), { Completions: "2/1 of 3" }],
  ])("%s", (_, obj, expected) => {
    expect(cells(def, obj)).toMatchObject(expected);
  });

  test("a Job being deleted is Terminating unless it finished", () => {
    const job = withStatus({ startTime: at(10) });
    job.metadata = { ...job.metadata, deletionTimestamp: at(1) };
    expect(cells(def, job).Status).toBe("Terminating");
  });

  test("wide columns", () => {
    expect(cells(def, create(def, kubectlCreate()).obj)).toMatchObject({ Containers: "pi", Images: "perl:5.34.0", Selector: `batch.kubernetes.io/controller-uid=${UID}` });
    expect(def.printerColumns!.map((c) => c.name)).toEqual(["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"]);
  });

  test("status.successful is a field selector; discovery", () => {
    expect(def.fieldSelectors!["status.successful"]!(withStatus({ succeeded: 3 }))).toBe("3");
    expect(def).toMatchObject({ group: "batch", plural: "jobs", categories: ["all"], statusSubresource: true, tracksGeneration: true });
    expect(def.shortNames).toBeUndefined();
  });
});
