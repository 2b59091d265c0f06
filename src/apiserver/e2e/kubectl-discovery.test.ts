/**
 * What kubectl 1.32 learns from discovery and OpenAPI, against a real `kts server`: the
 * cluster-scoped resources `kubectl api-resources --namespaced=false` lists, the `all` category
 * behind `kubectl get all` (built-ins and a custom resource), and `kubectl explain` of every
 * resource `kubectl api-resources` lists, custom kinds included.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";
import { applyCrds, crdManifest, serverForFile, singleVersion } from "./fixtures.ts";

setDefaultTimeout(60_000);

const { s } = serverForFile(API_CONTROLLERS_ONLY);

/** Collapses runs of spaces, so a listing compares without kubectl's column widths. */
const columns = (text: string) => text.replace(/ {2,}/g, "  ").trimEnd();

test("kubectl api-resources --namespaced=false lists the cluster-scoped resources", async () => {
  // As upstream 1.32 lists them, less the groups kts does not serve (apiregistration.k8s.io,
  // flowcontrol.apiserver.k8s.io) and so without their apiservices, flowschemas and prioritylevelconfigurations.
  expect(columns(await s.k("api-resources", "--namespaced=false"))).toBe(
    columns(`NAME                                SHORTNAMES   APIVERSION                        NAMESPACED   KIND
componentstatuses                   cs           v1                                false        ComponentStatus
namespaces                          ns           v1                                false        Namespace
nodes                               no           v1                                false        Node
persistentvolumes                   pv           v1                                false        PersistentVolume
mutatingwebhookconfigurations                    admissionregistration.k8s.io/v1   false        MutatingWebhookConfiguration
validatingadmissionpolicies                      admissionregistration.k8s.io/v1   false        ValidatingAdmissionPolicy
validatingadmissionpolicybindings                admissionregistration.k8s.io/v1   false        ValidatingAdmissionPolicyBinding
validatingwebhookconfigurations                  admissionregistration.k8s.io/v1   false        ValidatingWebhookConfiguration
customresourcedefinitions           crd,crds     apiextensions.k8s.io/v1           false        CustomResourceDefinition
selfsubjectreviews                               authentication.k8s.io/v1          false        SelfSubjectReview
tokenreviews                                     authentication.k8s.io/v1          false        TokenReview
selfsubjectaccessreviews                         authorization.k8s.io/v1           false        SelfSubjectAccessReview
selfsubjectrulesreviews                          authorization.k8s.io/v1           false        SelfSubjectRulesReview
subjectaccessreviews                             authorization.k8s.io/v1           false        SubjectAccessReview
certificatesigningrequests          csr          certificates.k8s.io/v1            false        CertificateSigningRequest
ingressclasses                                   networking.k8s.io/v1              false        IngressClass
runtimeclasses                                   node.k8s.io/v1                    false        RuntimeClass
clusterrolebindings                              rbac.authorization.k8s.io/v1      false        ClusterRoleBinding
clusterroles                                     rbac.authorization.k8s.io/v1      false        ClusterRole
priorityclasses                     pc           scheduling.k8s.io/v1              false        PriorityClass
csidrivers                                       storage.k8s.io/v1                 false        CSIDriver
csinodes                                         storage.k8s.io/v1                 false        CSINode
storageclasses                      sc           storage.k8s.io/v1                 false        StorageClass
volumeattachments                                storage.k8s.io/v1                 false        VolumeAttachment
`),
  );
  // Every resource is in exactly one of the two listings.
  const all = (await s.k("api-resources", "-o", "name")).trim().split("\n");
  const cluster = (await s.k("api-resources", "--namespaced=false", "-o", "name")).trim().split("\n");
  const namespaced = (await s.k("api-resources", "--namespaced=true", "-o", "name")).trim().split("\n");
  expect([...cluster, ...namespaced].sort()).toEqual([...all].sort());
  expect(namespaced).toEqual(expect.arrayContaining(["pods", "deployments.apps", "roles.rbac.authorization.k8s.io", "leases.coordination.k8s.io"]));
});

const workloads = `
apiVersion: v1
kind: Pod
metadata: {name: pod1, labels: {app: a}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc1}
spec: {selector: {app: a}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: deploy1}
spec:
  selector: {matchLabels: {app: a}}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs1}
spec:
  selector: {matchLabels: {app: a}}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts1}
spec:
  serviceName: svc1
  selector: {matchLabels: {app: a}}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds1}
spec:
  selector: {matchLabels: {app: a}}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job1}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron1}
spec:
  schedule: "*/5 * * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc1}
spec:
  selector: {app: a}
  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa1}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: deploy1}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-in-all}
`;

/** A custom resource of the `all` category, namespaced, and a cluster-scoped one. */
const crds =
  crdManifest(
    { group: "ops.example.com", plural: "backups", kind: "Backup", names: "singular: backup, shortNames: [bk], categories: [all, ops]" },
    `
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A Backup copies a volume somewhere safe.
        properties:
          spec:
            type: object
            description: What to back up, and when.
            properties:
              schedule: {type: string, description: A cron schedule.}
              volume: {type: string}
    additionalPrinterColumns:
    - {name: Schedule, type: string, jsonPath: .spec.schedule}
`,
  ) +
  "---" +
  crdManifest(
    { group: "ops.example.com", plural: "vaults", kind: "Vault", scope: "Cluster", names: "singular: vault" },
    singleVersion("v1alpha1", "{type: object, properties: {spec: {type: object, properties: {region: {type: string, description: Where the vault is.}}}}}"),
  );

test("kubectl get all shows upstream's `all` category: the workload types, services, HPAs, and custom kinds that join it", async () => {
  await s.k("create", "namespace", "apps");
  expect((await s.kubectl(["apply", "-n", "apps", "-f", "-"], { stdin: workloads })).code).toBe(0);
  expect(columns(await s.k("api-resources", "--categories=all"))).toBe(
    columns(`NAME                       SHORTNAMES   APIVERSION       NAMESPACED   KIND
pods                       po           v1               true         Pod
replicationcontrollers     rc           v1               true         ReplicationController
services                   svc          v1               true         Service
daemonsets                 ds           apps/v1          true         DaemonSet
deployments                deploy       apps/v1          true         Deployment
replicasets                rs           apps/v1          true         ReplicaSet
statefulsets               sts          apps/v1          true         StatefulSet
horizontalpodautoscalers   hpa          autoscaling/v2   true         HorizontalPodAutoscaler
cronjobs                   cj           batch/v1         true         CronJob
jobs                                    batch/v1         true         Job
`),
  );
  const sections = (await s.k("get", "all", "-n", "apps")).trimEnd().split("\n\n");
  // One table per type, each with its own printer's columns, in discovery order.
  expect(sections.map((t) => columns(t).replace(/\d+s$/gm, "AGE").replace(/10\.43\.\d+\.\d+/, "CLUSTER-IP"))).toEqual([
    "NAME  READY  STATUS  RESTARTS  AGE\npod/pod1  0/1  Pending  0  AGE",
    "NAME  DESIRED  CURRENT  READY  AGE\nreplicationcontroller/rc1  1  0  0  AGE",
    "NAME  TYPE  CLUSTER-IP  EXTERNAL-IP  PORT(S)  AGE\nservice/svc1  ClusterIP  CLUSTER-IP  <none>  80/TCP  AGE",
    "NAME  DESIRED  CURRENT  READY  UP-TO-DATE  AVAILABLE  NODE SELECTOR  AGE\ndaemonset.apps/ds1  0  0  0  0  0  <none>  AGE",
    "NAME  READY  UP-TO-DATE  AVAILABLE  AGE\ndeployment.apps/deploy1  0/1  0  0  AGE",
    "NAME  DESIRED  CURRENT  READY  AGE\nreplicaset.apps/rs1  1  0  0  AGE",
    "NAME  READY  AGE\nstatefulset.apps/sts1  0/1  AGE",
    "NAME  REFERENCE  TARGETS  MINPODS  MAXPODS  REPLICAS  AGE\nhorizontalpodautoscaler.autoscaling/hpa1  Deployment/deploy1  cpu: <unknown>/50%  1  3  0  AGE",
    "NAME  SCHEDULE  TIMEZONE  SUSPEND  ACTIVE  LAST SCHEDULE  AGE\ncronjob.batch/cron1  */5 * * * *  <none>  False  0  <none>  AGE",
    // A Job that has not started has no duration: an empty cell.
    "NAME  STATUS  COMPLETIONS  DURATION  AGE\njob.batch/job1  Running  0/1  AGE",
  ]);

  // A custom kind in the category joins `all`; a cluster-scoped CRD appears among the cluster-scoped resources.
  await applyCrds(s, crds);
  expect((await s.kubectl(["apply", "-n", "apps", "-f", "-"], { stdin: "apiVersion: ops.example.com/v1alpha1\nkind: Backup\nmetadata: {name: nightly}\nspec: {schedule: '@daily'}\n" })).code).toBe(0);
  const withCustom = (await s.k("get", "all", "-n", "apps")).trimEnd().split("\n\n");
  expect(withCustom).toHaveLength(11);
  expect(columns(withCustom[10]!)).toBe("NAME  SCHEDULE\nbackup.ops.example.com/nightly  @daily");
  // A category with a single type prints plain names, as for any one type.
  expect(columns(await s.k("get", "ops", "-n", "apps"))).toBe("NAME  SCHEDULE\nnightly  @daily");
  const cluster = await s.k("api-resources", "--namespaced=false", "--api-group=ops.example.com", "-o", "wide");
  expect(columns(cluster)).toBe("NAME  SHORTNAMES  APIVERSION  NAMESPACED  KIND  VERBS  CATEGORIES\nvaults  ops.example.com/v1alpha1  false  Vault  create,delete,deletecollection,get,list,patch,update,watch");
});

test("kubectl explain works for every resource kubectl api-resources lists, custom kinds included", async () => {
  const listing = (await s.k("api-resources", "--no-headers")).trim().split("\n");
  const resources = listing.map((line) => {
    const cells = line.trim().split(/\s+/);
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND
    return { name: cells[0]!, apiVersion: cells.at(-3)!, kind: cells.at(-1)! };
  });
  expect(resources.length).toBeGreaterThan(50);
  expect(resources).toContainEqual({ name: "backups", apiVersion: "ops.example.com/v1alpha1", kind: "Backup" });
  const failures: string[] = [];
  const explainOne = async (r: (typeof resources)[number]) => {
    // --api-version names the listed version: a dotted name such as events.events.k8s.io is
    // ambiguous to kubectl's explain (it takes the core "events" plus a field path).
    const out = await s.kubectl(["explain", r.name, `--api-version=${r.apiVersion}`]);
    const [group, version] = r.apiVersion.includes("/") ? r.apiVersion.split("/") : ["", r.apiVersion];
    const head = `${group ? `GROUP:      ${group}\n` : ""}KIND:       ${r.kind}\nVERSION:    ${version}\n\nDESCRIPTION:\n`;
    if (out.code !== 0 || !out.stdout.startsWith(head) || !out.stdout.includes("\nFIELDS:\n")) failures.push(`${r.name} (${r.apiVersion}): ${out.code} ${out.stdout.slice(0, 200)} ${out.stderr}`);
  };
  // A few at a time: each is a kubectl process.
  for (let i = 0; i < resources.length; i += 4) await Promise.all(resources.slice(i, i + 4).map(explainOne));
  expect(failures).toEqual([]);

  // The custom kinds' schemas: descriptions and fields from the CRD.
  const backup = await s.k("explain", "backups.spec");
  expect(backup).toMatch(/^GROUP: {6}ops\.example\.com\nKIND: {7}Backup\nVERSION: {4}v1alpha1\n\nFIELD: spec <Object>\n+DESCRIPTION:\n {4}What to back up, and when\.\n/);
  expect(backup).toMatch(/\n {2}schedule\s+<string>\n {4}A cron schedule\.\n/);
  expect(await s.k("explain", "vault.spec.region")).toMatch(/\nFIELD: region <string>\n+DESCRIPTION:\n {4}Where the vault is\.\n/);
  // Another version of a built-in: autoscaling/v1 is served beside v2.
  expect(await s.k("explain", "hpa.spec.targetCPUUtilizationPercentage", "--api-version=autoscaling/v1")).toContain("FIELD: targetCPUUtilizationPercentage <integer>");
});
