/**
 * Cost of the JSON type check that runs on every create and update (src/apiserver/openapi/
 * type-check.ts), as body.ts runs it: the number-literal scan of the body text, then the walk
 * over the decoded object. Bodies: a typical Pod (~1.5 KB) and a ~10 KB Deployment.
 *
 *   bun scripts/bench/type-check.ts [--iterations 20000]
 */
import { parseArgs } from "node:util";
import { createOpenApi, numberLiterals } from "../../src/apiserver/openapi/index.ts";

const { values: args } = parseArgs({ options: { iterations: { type: "string", default: "20000" } } });
const N = Number(args.iterations);
const openapi = createOpenApi([]);

function container(i: number): Record<string, unknown> {
  return {
    name: `app-${i}`,
    image: `registry.example.com/team/app-${i}:1.25.${i}`,
    imagePullPolicy: "IfNotPresent",
    command: ["/bin/server"],
    args: ["--port=8080", "--log-level=info", `--shard=${i}`],
    ports: [
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "MODE", value: "production" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "app-secret", key: "token" } } },
    ],
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 10, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
    volumeMounts: [{ name: "config", mountPath: "/etc/app", readOnly: true }],
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
}

const labels = { app: "web", tier: "frontend", "app.kubernetes.io/version": "1.25.3" };
const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-0", namespace: "default", labels, annotations: { "example.com/owner": "team-a" } },
  spec: { containers: [container(0)], volumes: [{ name: "config", configMap: { name: "web-config" } }], restartPolicy: "Always", terminationGracePeriodSeconds: 30 },
};

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels, annotations: { "deployment.kubernetes.io/revision": "3" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
    template: {
      metadata: { labels },
      spec: {
        containers: Array.from({ length: 9 }, (_, i) => container(i)),
        volumes: [{ name: "config", configMap: { name: "web-config" } }],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } }] } },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" }],
      },
    },
  },
};

function bench(name: string, kind: { group: string; version: string; kind: string }, obj: unknown): void {
  const text = JSON.stringify(obj);
  const parsed = JSON.parse(text) as unknown;
  if (openapi.typeErrors(kind, parsed) !== undefined) throw new Error(`${name} should be well-typed`);
  const run = (label: string, fn: () => unknown): void => {
    for (let i = 0; i < N / 10; i++) fn();
    const start = Bun.nanoseconds();
    for (let i = 0; i < N; i++) fn();
    const us = (Bun.nanoseconds() - start) / N / 1000;
    console.log(`${name.padEnd(22)} ${String(text.length).padStart(6)} B  ${label.padEnd(28)} ${us.toFixed(2).padStart(7)} µs`);
  };
  run("walk", () => openapi.typeErrors(kind, parsed));
  run("literal scan + walk", () => openapi.typeErrors(kind, parsed, { numberLiterals: numberLiterals(text) }));
  run("(JSON.parse, for scale)", () => JSON.parse(text));
}

bench("Pod", { group: "", version: "v1", kind: "Pod" }, pod);
bench("Deployment", { group: "apps", version: "v1", kind: "Deployment" }, deployment);
