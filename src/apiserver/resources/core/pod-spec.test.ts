import { describe, expect, test } from "bun:test";
import { fieldErrorMessage } from "../../api/errors.ts";
import { FieldPath } from "../../validation/field.ts";
import { defaultPodSpec, defaultPodTemplate, validatePodSpec, validatePodTemplateSpec } from "./pod-spec.ts";
import { imageTag } from "./image-name.ts";
import type { Container, PodSpec, PodTemplateSpec } from "./types.ts";

const spec = (over: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: "app", image: "nginx:1.27" }], ...over });
const defaulted = (s: PodSpec): PodSpec => {
  defaultPodSpec(s);
  return s;
};
const errors = (s: PodSpec, opts = {}) => validatePodSpec(defaulted(s), FieldPath.root("spec"), opts).map(fieldErrorMessage);
const withContainer = (c: Partial<Container>, over: Partial<PodSpec> = {}) => spec({ containers: [{ name: "app", image: "nginx:1.27", ...c }], ...over });

describe("defaultPodTemplate", () => {
  test("a minimal template reads back as kubectl shows it on 1.32", () => {
    const t: PodTemplateSpec = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };
    defaultPodTemplate(t);
    expect(t).toEqual({
      metadata: { creationTimestamp: null as unknown as string, labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx",
            imagePullPolicy: "Always",
            resources: {},
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    });
  });

  test("user values are kept", () => {
    const s = defaulted(spec({ restartPolicy: "Never", dnsPolicy: "Default", terminationGracePeriodSeconds: 0, schedulerName: "mine" }));
    expect([s.restartPolicy, s.dnsPolicy, s.terminationGracePeriodSeconds, s.schedulerName]).toEqual(["Never", "Default", 0, "mine"]);
  });

  test("pod-only defaults are not applied to templates", () => {
    const s = defaulted(spec());
    expect(s.enableServiceLinks).toBeUndefined();
  });
});

describe("container defaults", () => {
  test.each([
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["docker.io/library/nginx", "Always"],
    ["registry.local:5000/team/app", "Always"],
    ["registry.local:5000/team/app:v2", "IfNotPresent"],
    ["nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"],
    ["Nginx", "IfNotPresent"],
    ["", "IfNotPresent"],
  ])("image %p pulls %s", (image, policy) => {
    const s = defaulted(spec({ containers: [{ name: "c", image }] }));
    expect(s.containers[0]!.imagePullPolicy).toBe(policy);
  });

  test("imageTag reads tags, not registry ports", () => {
    expect(imageTag("localhost:5000/app")).toBe("latest");
    expect(imageTag("localhost:5000/app:1.0")).toBe("1.0");
  });

  test("ports, probes, env and resources get upstream's defaults and canonical quantities", () => {
    const s = defaulted(
      withContainer({
        ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
        lifecycle: { preStop: { httpGet: { port: "http" } } },
        env: [
          { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory" } } },
          { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1000m" } } },
        ],
        resources: { limits: { cpu: "0.5", memory: "1024Mi" }, requests: { cpu: 1 as unknown as string, memory: "0.0001" } },
      }),
    );
    const c = s.containers[0]!;
    expect(c.ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ grpc: { port: 9000, service: "" }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(c.lifecycle?.preStop?.httpGet).toEqual({ port: "http", path: "/", scheme: "HTTP" });
    expect(c.env?.map((e) => e.valueFrom)).toEqual([
      { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } },
      { resourceFieldRef: { resource: "limits.memory", divisor: "0" } },
      { resourceFieldRef: { resource: "limits.cpu", divisor: "1" } },
    ]);
    expect(c.resources).toEqual({ limits: { cpu: "500m", memory: "1Gi" }, requests: { cpu: "1", memory: "1m" } });
  });

  test("init and ephemeral containers are defaulted too", () => {
    const s = defaulted(spec({ initContainers: [{ name: "init", image: "busybox:1.36" }], ephemeralContainers: [{ name: "debug", image: "busybox" }] }));
    expect(s.initContainers![0]!.imagePullPolicy).toBe("IfNotPresent");
    expect(s.ephemeralContainers![0]!.terminationMessagePolicy).toBe("File");
  });
});

describe("volume defaults", () => {
  test("each source gets upstream's defaults", () => {
    const s = defaulted(
      spec({
        volumes: [
          { name: "scratch" },
          { name: "cfg", configMap: { name: "cfg" } },
          { name: "sec", secret: { secretName: "s", defaultMode: 256 } },
          { name: "host", hostPath: { path: "/var/log" } },
          { name: "cache", emptyDir: { sizeLimit: "1024Mi" } },
          { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
          { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
          { name: "claim", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } } },
        ],
      }),
    );
    expect(s.volumes).toEqual([
      { name: "scratch", emptyDir: {} },
      { name: "cfg", configMap: { name: "cfg", defaultMode: 420 } },
      { name: "sec", secret: { secretName: "s", defaultMode: 256 } },
      { name: "host", hostPath: { path: "/var/log", type: "" } },
      { name: "cache", emptyDir: { sizeLimit: "1Gi" } },
      { name: "info", downwardAPI: { defaultMode: 420, items: [{ path: "labels", fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" } }] } },
      { name: "token", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }] } },
      {
        name: "claim",
        ephemeral: {
          volumeClaimTemplate: {
            metadata: { creationTimestamp: null as unknown as string },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" },
          },
        },
      },
    ]);
  });
});

describe("validatePodSpec", () => {
  test("typical specs are valid", () => {
    const typical = spec({
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [{ name: "http", containerPort: 80 }, { containerPort: 53, protocol: "UDP" }],
          env: [{ name: "MODE", value: "prod" }, { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
          envFrom: [{ configMapRef: { name: "settings" } }],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } },
          volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "cfg", mountPath: "/etc/cfg", readOnly: true }],
          livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
          readinessProbe: { tcpSocket: { port: 80 } },
          securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false },
        },
        { name: "sidecar", image: "busybox", command: ["sleep", "infinity"] },
      ],
      initContainers: [{ name: "migrate", image: "app:1" }, { name: "proxy", image: "envoy:1", restartPolicy: "Always", readinessProbe: { exec: { command: ["true"] } } }],
      volumes: [{ name: "data", emptyDir: {} }, { name: "cfg", configMap: { name: "cfg", items: [{ key: "a", path: "a.conf" }] } }],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } }] } },
      serviceAccountName: "web",
      hostname: "web-0",
      subdomain: "web",
    });
    expect(errors(typical, { isPod: true, podName: "web-0" })).toEqual([]);
  });

  test.each<[string, PodSpec, string[]]>([
    ["no containers", spec({ containers: [] }), ["spec.containers: Required value"]],
    [
      "container name and image",
      spec({ containers: [{ name: "Web_1", image: "" }] }),
      [
        'spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
        "spec.containers[0].image: Required value",
      ],
    ],
    ["duplicate container names", spec({ containers: [{ name: "a", image: "x" }, { name: "a", image: "y" }] }), ['spec.containers[1].name: Duplicate value: "a"']],
    ["init name clashes with a container", spec({ initContainers: [{ name: "app", image: "x" }] }), ['spec.initContainers[0].name: Duplicate value: "app"']],
    [
      "ports",
      withContainer({ ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: "ICMP" }, { containerPort: 0, name: "http" }, { containerPort: 81, name: "http" }] }),
      [
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        "spec.containers[0].ports[2].containerPort: Required value",
        'spec.containers[0].ports[3].name: Duplicate value: "http"',
      ],
    ],
    ["env names", withContainer({ env: [{ name: "A=B", value: "x" }, { name: "" }] }), [
      'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      "spec.containers[0].env[1].name: Required value",
    ]],
    [
      "env valueFrom needs exactly one source",
      withContainer({ env: [{ name: "X", value: "v", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "Y", valueFrom: {} }] }),
      [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ],
    ],
    [
      "unsupported downward API field",
      withContainer({ env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "status.phase" } } }] }),
      ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "status.phase": error converting fieldPath: field label not supported: status.phase'],
    ],
    ["mount of an unknown volume", withContainer({ volumeMounts: [{ name: "data", mountPath: "/data" }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    [
      "duplicate volumes and bad sources",
      spec({ volumes: [{ name: "v", emptyDir: {} }, { name: "v", emptyDir: {} }, { name: "two", emptyDir: {}, hostPath: { path: "/x" } }, { name: "cm", configMap: { name: "" } }] }),
      [
        'spec.volumes[1].name: Duplicate value: "v"',
        "spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type",
        "spec.volumes[3].configMap.name: Required value",
      ],
    ],
    [
      "requests above limits",
      withContainer({ resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }),
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [
      "resource names and quantities",
      withContainer({ resources: { limits: { memory: "-1Gi", "example.com/gpu": "1" }, requests: { "example.com/gpu": "1", gpus: "1" } } }),
      [
        'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpus]: Invalid value: "gpus": must be a standard resource for containers',
      ],
    ],
    [
      "extended resources cannot be overcommitted",
      withContainer({ resources: { requests: { "example.com/gpu": "1" } } }),
      ["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"],
    ],
    [
      "policies",
      spec({ restartPolicy: "Sometimes", dnsPolicy: "Cluster" }),
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      "probes",
      withContainer({ livenessProbe: { successThreshold: 2, exec: { command: ["true"] } }, readinessProbe: {}, startupProbe: { httpGet: { port: "8080" } } }),
      [
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
        "spec.containers[0].readinessProbe: Required value: must specify a handler type",
        'spec.containers[0].startupProbe.httpGet.port: Invalid value: "8080": must contain at least one letter (a-z)',
      ],
    ],
    [
      "init containers without restartPolicy=Always cannot have probes",
      spec({ initContainers: [{ name: "init", image: "x", readinessProbe: { exec: { command: ["true"] } } }] }),
      ["spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"],
    ],
    [
      "tolerations",
      spec({ tolerations: [{ operator: "Equal", value: "x" }, { key: "k", operator: "Exists", value: "v" }, { key: "k", effect: "NoSchedule", tolerationSeconds: 5 }] }),
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        'spec.tolerations[1].operator: Invalid value: "v": value must be empty when `operator` is \'Exists\'',
        'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
      ],
    ],
    [
      "host network ports in pods",
      spec({ hostNetwork: true, containers: [{ name: "a", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
      ["spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"],
    ],
    ["active deadline", spec({ activeDeadlineSeconds: 0 }), ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]],
    [
      "duplicate host ports",
      spec({ containers: [{ name: "a", image: "x", ports: [{ containerPort: 80, hostPort: 80 }] }, { name: "b", image: "x", ports: [{ containerPort: 81, hostPort: 80 }] }] }),
      ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"'],
    ],
  ])("%s", (_name, s, want) => {
    expect(errors(s, { isPod: true })).toEqual(want);
  });

  test("templates may leave hostPort 0 under hostNetwork (it is defaulted on the pod)", () => {
    const s = spec({ hostNetwork: true, containers: [{ name: "a", image: "x", ports: [{ containerPort: 80 }] }] });
    expect(errors(s)).toEqual([]);
  });
});

describe("validatePodTemplateSpec", () => {
  test("labels, annotations and ephemeral containers are checked at template paths", () => {
    const t: PodTemplateSpec = {
      metadata: { labels: { "bad key!": "x" } },
      spec: { containers: [{ name: "a", image: "x" }], ephemeralContainers: [{ name: "dbg", image: "busybox" }] },
    };
    defaultPodTemplate(t);
    const msgs = validatePodTemplateSpec(t, FieldPath.root("spec").child("template")).map(fieldErrorMessage);
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toStartWith('spec.template.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters');
    expect(msgs[1]).toBe("spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template");
  });
});
