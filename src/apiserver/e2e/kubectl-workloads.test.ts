/**
 * Real kubectl 1.32 against a real `kts server`: the apps, batch, coordination and events.k8s.io
 * types, as kubectl users create, read, scale and get them rejected.
 */
import { expect, test } from "bun:test";
import { serverForFile } from "./fixtures.ts";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";

const { s } = serverForFile(API_CONTROLLERS_ONLY);

/** `kubectl create -f -` of a manifest (client-side schema validation is not what is tested here). */
const create = (manifest: string) => s.kubectl(["create", "-f", "-", "--validate=false"], { stdin: manifest });

/** What `kubectl create <kind> ... --dry-run=client -o yaml` generates, then created for real. */
async function createGenerated(args: string[], command: string[] = []): Promise<string> {
  const generated = await s.k(...args, "--dry-run=client", "-o", "yaml", ...(command.length ? ["--", ...command] : []));
  const out = await create(generated);
  expect(out.stderr).toBe("");
  return out.stdout;
}

test("a generated Deployment is defaulted, printed and scaled", async () => {
  expect(await createGenerated(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"])).toBe("deployment.apps/web created\n");
  expect(await s.k("get", "deploy", "web", "-o", "jsonpath={.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}")).toBe(
    "25% 10 600",
  );
  const wide = await s.k("get", "deploy", "-o", "wide");
  expect(wide).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/3\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.27\s+app=web\n$/);
  expect(await s.k("scale", "deploy", "web", "--replicas=5")).toBe("deployment.apps/web scaled\n");
  expect(await s.k("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}")).toBe("5 2");
});

test("a generated Job gets its selector and labels; a CronJob its defaults", async () => {
  await createGenerated(["create", "job", "pi", "--image=perl:5.34.0"], ["perl", "-e", "print 1"]);
  const uid = await s.k("get", "job", "pi", "-o", "jsonpath={.metadata.uid}");
  expect(await s.k("get", "job", "pi", "-o", "jsonpath={.spec.selector.matchLabels}")).toBe(`{"batch.kubernetes.io/controller-uid":"${uid}"}`);
  expect(await s.k("get", "jobs")).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\npi\s+Running\s+0\/1\s+\d+s\n$/);
  await createGenerated(["create", "cronjob", "hello", "--image=busybox:1.28", "--schedule=*/5 * * * *"]);
  expect(await s.k("get", "cj")).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\nhello\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s\n$/);
});

test("invalid objects are rejected with upstream's messages", async () => {
  const cron = await create("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: bad}\nspec:\n  schedule: '61 * * * *'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}}}}\n");
  expect(cron.stderr).toBe('The CronJob "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61\n');
  const job = await create("apiVersion: batch/v1\nkind: Job\nmetadata: {name: forever}\nspec:\n  template: {spec: {containers: [{name: a, image: busybox}]}}\n");
  expect(job.stderr).toBe('The Job "forever" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"\n');
  const ds = await create(
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  updateStrategy: {rollingUpdate: {maxSurge: 1}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: busybox}]}\n",
  );
  expect(ds.stderr).toBe('The DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero\n');
});

test("StatefulSet specs are fixed but for the allowed fields", async () => {
  const sts = (serviceName: string, replicas: number) =>
    `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: ${serviceName}\n  replicas: ${replicas}\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres:17}]}\n`;
  expect((await create(sts("db", 1))).stdout).toBe("statefulset.apps/db created\n");
  expect(await s.k("get", "sts", "db")).toMatch(/^NAME\s+READY\s+AGE\ndb\s+0\/1\s+\d+s\n$/);
  const replaced = await s.kubectl(["replace", "-f", "-", "--validate=false"], { stdin: sts("other", 2) });
  expect(replaced.stderr).toBe(
    "The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n",
  );
  expect((await s.kubectl(["replace", "-f", "-", "--validate=false"], { stdin: sts("db", 2) })).stdout).toBe("statefulset.apps/db replaced\n");
});

test("leases, and events in both API versions", async () => {
  await create("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: my-lock}\nspec: {holderIdentity: me, leaseDurationSeconds: 15}\n");
  expect(await s.k("get", "lease", "my-lock")).toMatch(/^NAME\s+HOLDER\s+AGE\nmy-lock\s+me\s+\d+s\n$/);
  const event = [
    "apiVersion: events.k8s.io/v1",
    "kind: Event",
    "metadata: {name: web.1}",
    `eventTime: "${new Date().toISOString().replace("Z", "000Z")}"`,
    "reportingController: example.com/ctl",
    "reportingInstance: ctl-0",
    "action: Scale",
    "reason: Scaled",
    "regarding: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: default}",
    "note: scaled it",
    "type: Normal",
  ].join("\n");
  expect((await create(event)).stdout).toBe("event.events.k8s.io/web.1 created\n");
  const row = /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\d+s\s+Normal\s+Scaled\s+deployment\/web\s+scaled it\n$/;
  expect(await s.k("get", "events.v1.events.k8s.io", "--field-selector", "regarding.name=web")).toMatch(row);
  expect(await s.k("get", "events", "--field-selector", "involvedObject.name=web")).toMatch(row);
  expect(await s.k("get", "events", "web.1", "-o", "jsonpath={.message}|{.reportingComponent}|{.involvedObject.kind}")).toBe("scaled it|example.com/ctl|Deployment");
});
