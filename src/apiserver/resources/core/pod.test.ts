import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { podDefinition as def } from "./pod.ts";
import { ago, create, headers, NOW, row, selectable, update } from "./testing.ts";
import type { Pod } from "./types.ts";

const minimal = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };

describe("pods: metadata", () => {
  test("discovery facts", () => {
    expect([def.plural, def.singular, def.kind, def.shortNames, def.categories, def.namespaced, def.statusSubresource]).toEqual(["pods", "pod", "Pod", ["po"], ["all"], true, true]);
    expect(def.tracksGeneration).toBeFalsy();
    expect(def.verbs).toContain("deletecollection");
  });
});

describe("pods: create", () => {
  test("a minimal pod reads back as on a 1.32 cluster (before admission plugins)", () => {
    const { obj, errors } = create(def, minimal);
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      containers: [{ name: "nginx", image: "nginx", imagePullPolicy: "Always", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    expect(obj.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  test.each<[string, object, string]>([
    ["limits only: requests copied, Guaranteed", { limits: { cpu: "500m", memory: "128Mi" } }, "Guaranteed"],
    ["requests below limits", { limits: { cpu: "1", memory: "128Mi" }, requests: { cpu: "100m" } }, "Burstable"],
    ["memory only", { limits: { memory: "128Mi" } }, "Burstable"],
    ["zero requests", { requests: { cpu: "0" } }, "BestEffort"],
  ])("QoS: %s", (_n, resources, qos) => {
    const { obj } = create(def, { ...minimal, spec: { containers: [{ name: "c", image: "x", resources }] } });
    expect((obj as unknown as Pod).status?.qosClass).toBe(qos as "Guaranteed");
  });

  test("limits become requests on pods (not on templates)", () => {
    const { obj } = create(def, { ...minimal, spec: { containers: [{ name: "c", image: "x", resources: { limits: { cpu: "0.5" } } }] } });
    expect((obj as unknown as Pod).spec?.containers[0]!.resources).toEqual({ limits: { cpu: "500m" }, requests: { cpu: "500m" } });
  });

  test("hostNetwork pods get hostPort = containerPort", () => {
    const { obj, errors } = create(def, { ...minimal, spec: { hostNetwork: true, containers: [{ name: "c", image: "x", ports: [{ containerPort: 8080 }] }] } });
    expect(errors).toEqual([]);
    expect((obj as unknown as Pod).spec?.containers[0]!.ports).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: "TCP" }]);
  });

  test("scheduling gates add the SchedulingGated condition", () => {
    const { obj } = create(def, { ...minimal, spec: { ...minimal.spec, schedulingGates: [{ name: "example.com/wait" }] } });
    expect((obj as unknown as Pod).status?.conditions).toEqual([
      { type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" },
    ]);
  });

  test("matchLabelKeys become selector expressions with the pod's own values", () => {
    const term = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } }, matchLabelKeys: ["pod-template-hash"] };
    const { obj } = create(def, {
      ...minimal,
      metadata: { ...minimal.metadata, labels: { app: "web", "pod-template-hash": "abc" } },
      spec: { ...minimal.spec, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } },
    });
    const sel = (obj as unknown as Pod).spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.labelSelector;
    expect(sel).toEqual({ matchLabels: { app: "web" }, matchExpressions: [{ key: "pod-template-hash", operator: "In", values: ["abc"] }] });
  });

  test.each<[string, object, string[]]>([
    ["ephemeral containers", { ephemeralContainers: [{ name: "dbg", image: "busybox" }] }, ["spec.ephemeralContainers: Forbidden: cannot be set on create"]],
    ["nodeName with gates", { nodeName: "n1", schedulingGates: [{ name: "g" }] }, ["spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"]],
    [
      "token projection without a service account",
      { volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }] },
      ["spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set"],
    ],
  ])("create rejects %s", (_n, extra, want) => {
    expect(create(def, { ...minimal, spec: { ...minimal.spec, ...extra } }).errors).toEqual(want);
  });

  test("image whitespace is rejected on pods", () => {
    expect(create(def, { ...minimal, spec: { containers: [{ name: "c", image: " nginx" }] } }).errors).toEqual([
      'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]);
  });

  test("names that are not DNS labels draw upstream's hostname warning on create", () => {
    const { obj } = create(def, { ...minimal, metadata: { name: "web.v1" } });
    expect(def.strategy?.warnings?.(obj)).toEqual([
      "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
    ]);
    expect(def.strategy?.warnings?.(obj, obj)).toEqual([]);
    expect(def.strategy?.warnings?.(create(def, minimal).obj)).toEqual([]);
  });
});

describe("pods: update", () => {
  const stored = create(def, { ...minimal, spec: { ...minimal.spec, tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] } }).obj;
  const withSpec = (change: (s: Pod["spec"] & object) => void) => {
    const next = structuredClone(stored) as unknown as Pod;
    change(next.spec!);
    return next;
  };

  test("image, activeDeadlineSeconds, added tolerations and tolerationSeconds may change", () => {
    const next = withSpec((s) => {
      s.containers[0]!.image = "nginx:1.27";
      s.activeDeadlineSeconds = 600;
      s.tolerations = [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }, { key: "other", operator: "Exists" }];
    });
    expect(update(def, next, stored).errors).toEqual([]);
  });

  test("other spec changes use upstream's message", () => {
    const { errors } = update(def, withSpec((s) => (s.restartPolicy = "Never")), stored);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toStartWith(
      "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n",
    );
    expect(errors[0]).toContain("spec.restartPolicy");
  });

  test.each<[string, (s: NonNullable<Pod["spec"]>) => void, string[]]>([
    ["adding a container", (s) => s.containers.push({ name: "b", image: "x" }), ["spec.containers: Forbidden: pod updates may not add or remove containers"]],
    ["removing a toleration", (s) => (s.tolerations = []), ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]],
    ["clearing an image", (s) => (s.containers[0]!.image = ""), ["spec.containers[0].image: Required value"]],
  ])("%s", (_n, change, want) => {
    // upstream repeats some checks in create and update validation; its message lists each once.
    const errors = [...new Set(update(def, withSpec(change), stored).errors)].filter((e) => !e.startsWith("spec: Forbidden"));
    expect(errors).toEqual(want);
  });

  test("activeDeadlineSeconds may only go down", () => {
    const base = update(def, withSpec((s) => (s.activeDeadlineSeconds = 100)), stored).obj;
    const raised = structuredClone(base) as unknown as Pod;
    raised.spec!.activeDeadlineSeconds = 200;
    expect(update(def, raised, base).errors).toEqual(["spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"]);
  });

  test("ephemeral containers already on a pod are not a create error on update", () => {
    const old = structuredClone(stored) as unknown as Pod;
    old.spec!.ephemeralContainers = [
      { name: "dbg", image: "busybox", imagePullPolicy: "Always", terminationMessagePolicy: "File", terminationMessagePath: "/dev/termination-log", resources: {} },
    ];
    const next = structuredClone(old);
    expect(update(def, next, old as unknown as KubeObject).errors).toEqual([]);
  });
});

describe("pods: table", () => {
  const base = (status: object, extra: object = {}) => ({
    metadata: { name: "p", creationTimestamp: ago(3_600_000) },
    spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }], ...extra },
    status,
  });
  const running = (ready: boolean, restartCount = 0, lastState = {}) => ({ name: "a", ready, restartCount, state: { running: { startedAt: ago(60_000) } }, lastState });

  test("columns and priorities", () => {
    expect(headers(def)).toEqual(["Name", "Ready", "Status", "Restarts", "Age", "IP(wide)", "Node(wide)", "Nominated Node(wide)", "Readiness Gates(wide)"]);
    expect(def.printerColumns?.find((c) => c.name === "Restarts")?.type).toBe("string");
  });

  test.each<[string, object, object, string[]]>([
    ["pending", { phase: "Pending" }, {}, ["0/2", "Pending", "0"]],
    ["running, one ready", { phase: "Running", containerStatuses: [running(true), running(false)] }, {}, ["1/2", "Running", "0"]],
    [
      "crash loop with a recent restart",
      {
        phase: "Running",
        containerStatuses: [
          running(true),
          { name: "b", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(300_000) } } },
        ],
      },
      {},
      ["1/2", "CrashLoopBackOff", "5 (5m ago)"],
    ],
    [
      "completed",
      { phase: "Succeeded", containerStatuses: [{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] },
      {},
      ["0/2", "Completed", "0"],
    ],
    ["exit code without reason", { phase: "Failed", containerStatuses: [{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] }, {}, ["0/2", "ExitCode:2", "0"]],
    [
      "waiting on the second of three init containers",
      { phase: "Pending", initContainerStatuses: [{ name: "i1", ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } }, { name: "i2", ready: false, restartCount: 0, state: { running: {} } }] },
      { initContainers: [{ name: "i1", image: "x" }, { name: "i2", image: "x" }, { name: "i3", image: "x" }] },
      ["0/2", "Init:1/3", "0"],
    ],
    [
      "init container failing",
      { phase: "Pending", initContainerStatuses: [{ name: "i1", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }] },
      { initContainers: [{ name: "i1", image: "x" }] },
      ["0/2", "Init:CrashLoopBackOff", "3"],
    ],
    [
      "running sidecar counts as a container",
      { phase: "Running", initContainerStatuses: [{ name: "proxy", ready: true, started: true, restartCount: 0, state: { running: {} } }], containerStatuses: [running(true), running(true)] },
      { initContainers: [{ name: "proxy", image: "envoy", restartPolicy: "Always" }] },
      ["3/3", "Running", "0"],
    ],
    [
      "completed container while another still runs",
      {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }, running(true)],
      },
      {},
      ["1/2", "NotReady", "0"],
    ],
    ["scheduling gated", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }, {}, ["0/2", "SchedulingGated", "0"]],
    ["evicted", { phase: "Failed", reason: "Evicted" }, {}, ["0/2", "Evicted", "0"]],
  ])("%s", (_n, status, extra, want) => {
    const r = row(def, base(status, extra));
    expect([r.Ready, r.Status, r.Restarts]).toEqual(want);
  });

  test("terminating pods, unless already finished", () => {
    const deleting = (phase: string) => ({ ...base({ phase }), metadata: { name: "p", creationTimestamp: ago(60_000), deletionTimestamp: ago(0) } });
    expect(row(def, deleting("Running")).Status).toBe("Terminating");
    expect(row(def, deleting("Succeeded")).Status).toBe("Succeeded");
    expect(row(def, { ...deleting("Running"), status: { phase: "Running", reason: "NodeLost" } }).Status).toBe("Unknown");
  });

  test("wide cells", () => {
    const p = base(
      { phase: "Running", podIPs: [{ ip: "10.42.0.7" }], conditions: [{ type: "example.com/ready", status: "True" }] },
      { nodeName: "node-1", readinessGates: [{ conditionType: "example.com/ready" }, { conditionType: "example.com/other" }] },
    );
    const r = row(def, p);
    expect([r.Name, r.Age, r.IP, r.Node, r["Nominated Node"], r["Readiness Gates"]]).toEqual(["p", "60m", "10.42.0.7", "node-1", "<none>", "1/2"]);
    const bare = row(def, base({ phase: "Pending" }));
    expect([bare.IP, bare.Node, bare["Readiness Gates"]]).toEqual(["<none>", "<none>", "<none>"]);
  });
});

describe("pods: field selectors and deletion", () => {
  test("selectable fields", () => {
    const p = { spec: { nodeName: "n1", restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "default", hostNetwork: true, containers: [] }, status: { phase: "Running", podIPs: [{ ip: "10.42.0.5" }, { ip: "fd00::5" }] } };
    expect(selectable(def, p)).toEqual({
      "spec.nodeName": "n1",
      "spec.restartPolicy": "Always",
      "spec.schedulerName": "default-scheduler",
      "spec.serviceAccountName": "default",
      "spec.hostNetwork": "true",
      "status.phase": "Running",
      "status.podIP": "10.42.0.5",
      "status.nominatedNodeName": "",
    });
    expect(selectable(def, { spec: {} })["spec.hostNetwork"]).toBe("false");
  });

  test.each<[string, object, number | undefined, number]>([
    ["scheduled pod, default period", { spec: { nodeName: "n", terminationGracePeriodSeconds: 30 }, status: { phase: "Running" } }, undefined, 30],
    ["requested period wins", { spec: { nodeName: "n", terminationGracePeriodSeconds: 30 }, status: { phase: "Running" } }, 5, 5],
    ["unscheduled pods go at once", { spec: { terminationGracePeriodSeconds: 30 }, status: { phase: "Pending" } }, undefined, 0],
    ["finished pods go at once", { spec: { nodeName: "n", terminationGracePeriodSeconds: 30 }, status: { phase: "Succeeded" } }, undefined, 0],
    ["negative becomes 1", { spec: { nodeName: "n" }, status: { phase: "Running" } }, -5, 1],
  ])("graceful deletion: %s", (_n, p, requested, want) => {
    expect(def.gracefulDeletion?.(p as KubeObject, requested)).toBe(want);
  });
});

test("the RESTARTS age uses the latest termination", () => {
  const p = {
    metadata: { name: "p", creationTimestamp: ago(1000) },
    spec: { containers: [{ name: "a", image: "x" }] },
    status: { phase: "Running", containerStatuses: [{ name: "a", ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: new Date(NOW - 90_000).toISOString() } } }] },
  };
  expect(row(def, p).Restarts).toBe("2 (90s ago)");
});
