/**
 * The PodSecurity admission plugin (upstream's pod-security-admission): pods are checked against
 * the Pod Security Standards at the levels their namespace's labels name —
 * pod-security.kubernetes.io/{enforce,audit,warn} (privileged, baseline, restricted) and their
 * -version labels (latest, v1.N). Enforce refuses (`pods "x" is forbidden: violates PodSecurity
 * "restricted:latest": privileged (container "c" must not set securityContext.privileged=true),
 * ...`), warn answers in the Warning header, audit adds the audit-violations annotation to the
 * request's audit event; when warn or audit are unset they follow enforce. Workload templates
 * (Deployment, Job, CronJob, ...) only warn and audit, as upstream. A namespace whose enforce
 * level changes gets warnings for the pods already in it that would now be refused. Exempt
 * users, namespaces and runtime classes are let through with the exempt annotation.
 */
import { readFileSync } from "node:fs";
import type { KubeObject } from "../../api/types.ts";
import { errors } from "../../api/errors.ts";
import type { GenericStore } from "../../registry/store.ts";
import type { PodSpec } from "../../resources/core/types.ts";
import type { AdmissionPlugin, AdmissionRequest } from "../chain.ts";
import { describe, evaluatePod, LATEST_MINOR, type Level, type PodView } from "./checks.ts";

const LABEL = "pod-security.kubernetes.io/";
const MODES = ["enforce", "audit", "warn"] as const;
type Mode = (typeof MODES)[number];

export interface LevelVersion {
  level: Level;
  /** Minor version of v1.x; undefined: latest. */
  minor?: number;
}

export interface PodSecurityConfiguration {
  defaults?: Partial<Record<"enforce" | "enforce-version" | "audit" | "audit-version" | "warn" | "warn-version", string>>;
  exemptions?: { usernames?: string[]; namespaces?: string[]; runtimeClasses?: string[] };
}

export interface PodSecurityOptions {
  namespaces(): GenericStore | undefined;
  pods(): GenericStore | undefined;
  config?: PodSecurityConfiguration;
}

/** Reads a PodSecurityConfiguration, bare or inside an AdmissionConfiguration (as kube-apiserver's --admission-control-config-file holds it). */
export function readPodSecurityConfiguration(path: string): PodSecurityConfiguration {
  const doc = Bun.YAML.parse(readFileSync(path, "utf8")) as { kind?: string; plugins?: Array<{ name?: string; configuration?: unknown; path?: string }> } & PodSecurityConfiguration;
  if (doc?.kind === "AdmissionConfiguration") {
    const entry = doc.plugins?.find((p) => p.name === "PodSecurity");
    if (!entry) return {};
    if (entry.configuration) return entry.configuration as PodSecurityConfiguration;
    if (entry.path) return readPodSecurityConfiguration(entry.path);
    return {};
  }
  if (doc?.kind !== "PodSecurityConfiguration") throw new Error(`${path}: expected kind PodSecurityConfiguration or AdmissionConfiguration, got ${JSON.stringify(doc?.kind)}`);
  return doc;
}

function parseLevel(text: string | undefined): Level | undefined {
  return text === "privileged" || text === "baseline" || text === "restricted" ? text : undefined;
}

/** "latest" -> undefined; "v1.N" -> N (newer than this server reads as latest); anything else is invalid. */
function parseVersion(text: string | undefined): { ok: boolean; minor?: number } {
  if (text === undefined || text === "" || text === "latest") return { ok: true };
  const m = /^v1\.(0|[1-9]\d*)$/.exec(text);
  if (!m) return { ok: false };
  const minor = Number(m[1]);
  return { ok: true, minor: minor >= LATEST_MINOR ? undefined : minor };
}

export function formatLevelVersion(lv: LevelVersion): string {
  return `${lv.level}:${lv.minor === undefined ? "latest" : `v1.${lv.minor}`}`;
}

/** The namespace's policy for each mode: its labels, else warn/audit follow an explicit enforce, else the configured defaults. */
export function namespacePolicy(labels: Record<string, string>, config: PodSecurityConfiguration = {}): Record<Mode, LevelVersion> {
  const d = config.defaults ?? {};
  const out = {} as Record<Mode, LevelVersion>;
  for (const mode of MODES) {
    const fallbackLevel = parseLevel(d[mode]) ?? "privileged";
    const fallbackVersion = parseVersion(d[`${mode}-version`]).minor;
    const levelText = labels[`${LABEL}${mode}`];
    const versionText = labels[`${LABEL}${mode}-version`];
    const level = levelText === undefined ? fallbackLevel : parseLevel(levelText);
    const version = versionText === undefined ? { ok: true, minor: fallbackVersion } : parseVersion(versionText);
    // An unreadable label is evaluated at the strictest policy, as upstream fails closed.
    out[mode] = level === undefined || !version.ok ? { level: "restricted" } : { level, minor: version.minor };
  }
  const enforceSet = labels[`${LABEL}enforce`] !== undefined;
  for (const mode of ["warn", "audit"] as const) {
    if (enforceSet && labels[`${LABEL}${mode}`] === undefined) out[mode] = out.enforce;
  }
  return out;
}

const POD_CONTROLLERS: Record<string, (obj: KubeObject) => { metadata?: KubeObject["metadata"]; spec?: PodSpec } | undefined> = {
  "/podtemplates": (o) => (o as { template?: { spec?: PodSpec } }).template,
  "/replicationcontrollers": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "apps/replicasets": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "apps/deployments": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "apps/statefulsets": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "apps/daemonsets": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "batch/jobs": (o) => (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template,
  "batch/cronjobs": (o) => (o.spec as { jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined)?.jobTemplate?.spec?.template,
};

/** Whether a pod update could change what the checks see (upstream ignores image-only and most metadata changes). */
function significantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const spec = structuredClone((o.spec ?? {}) as PodSpec);
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) delete (c as { image?: string }).image;
    const apparmor = Object.entries(o.metadata?.annotations ?? {}).filter(([k]) => k.startsWith("container.apparmor.security.beta.kubernetes.io/"));
    return JSON.stringify([spec, apparmor]);
  };
  return strip(pod) !== strip(old);
}

export function podSecurity(opts: PodSecurityOptions): AdmissionPlugin {
  const config = opts.config ?? {};
  const exempt = {
    users: new Set(config.exemptions?.usernames ?? []),
    namespaces: new Set(config.exemptions?.namespaces ?? []),
    runtimeClasses: new Set(config.exemptions?.runtimeClasses ?? []),
  };

  async function labelsOf(req: AdmissionRequest, namespace: string): Promise<Record<string, string> | undefined> {
    const seen = req.state.get(`namespace/${namespace}`) as KubeObject | undefined;
    if (seen) return seen.metadata?.labels ?? {};
    const store = opts.namespaces();
    if (!store) return undefined;
    try {
      return (await store.get("", namespace)).metadata?.labels ?? {};
    } catch {
      return undefined;
    }
  }

  function annotate(req: AdmissionRequest, key: string, value: string): void {
    const scope = req.ctx.scope;
    if (scope) scope.auditAnnotations[`${LABEL}${key}`] = value;
  }

  function warn(req: AdmissionRequest, text: string): void {
    req.ctx.scope?.warnings.push(text);
  }

  /** Audit and warn results for a pod (or template); enforce is the caller's. */
  function auditAndWarn(req: AdmissionRequest, pod: PodView, policy: Record<Mode, LevelVersion>, allowed: boolean): void {
    const audit = evaluatePod(pod, policy.audit.level, policy.audit.minor ?? LATEST_MINOR);
    if (audit.length) annotate(req, "audit-violations", `would violate PodSecurity "${formatLevelVersion(policy.audit)}": ${describe(audit)}`);
    if (!allowed) return;
    const warned = evaluatePod(pod, policy.warn.level, policy.warn.minor ?? LATEST_MINOR);
    if (warned.length) warn(req, `would violate PodSecurity "${formatLevelVersion(policy.warn)}": ${describe(warned)}`);
  }

  function isExempt(req: AdmissionRequest, namespace: string, runtimeClass: string | undefined): string | undefined {
    if (exempt.namespaces.has(namespace)) return "namespace";
    if (exempt.users.has(req.ctx.user.username)) return "user";
    if (runtimeClass && exempt.runtimeClasses.has(runtimeClass)) return "runtimeClass";
    return undefined;
  }

  async function admitPod(req: AdmissionRequest, namespace: string): Promise<void> {
    const pod = req.obj as PodView & KubeObject;
    const labels = await labelsOf(req, namespace);
    if (!labels) return;
    const policy = namespacePolicy(labels, config);
    const why = isExempt(req, namespace, pod.spec?.runtimeClassName);
    if (why) return annotate(req, "exempt", why);
    annotate(req, "enforce-policy", formatLevelVersion(policy.enforce));
    const violations = evaluatePod(pod, policy.enforce.level, policy.enforce.minor ?? LATEST_MINOR);
    auditAndWarn(req, pod, policy, violations.length === 0);
    if (violations.length) {
      throw errors.forbidden({ resource: "pods", name: pod.metadata?.name }, `violates PodSecurity "${formatLevelVersion(policy.enforce)}": ${describe(violations)}`);
    }
  }

  async function admitTemplate(req: AdmissionRequest, namespace: string, template: PodView): Promise<void> {
    const labels = await labelsOf(req, namespace);
    if (!labels) return;
    const policy = namespacePolicy(labels, config);
    const why = isExempt(req, namespace, template.spec?.runtimeClassName);
    if (why) return annotate(req, "exempt", why);
    auditAndWarn(req, template, policy, true);
  }

  /** A new or changed enforce level: warn about the pods already there that it would refuse. */
  async function checkNamespace(req: AdmissionRequest): Promise<void> {
    const labels = req.obj.metadata?.labels ?? {};
    const oldLabels = req.old?.metadata?.labels ?? {};
    const key = `${LABEL}enforce`;
    if (req.operation === "CREATE" || (labels[key] === oldLabels[key] && labels[`${key}-version`] === oldLabels[`${key}-version`])) return;
    const policy = namespacePolicy(labels, config);
    if (policy.enforce.level === "privileged") return;
    const name = req.obj.metadata?.name ?? "";
    if (exempt.namespaces.has(name)) return;
    const pods = opts.pods();
    if (!pods) return;
    const byReasons = new Map<string, string[]>();
    for (const pod of (await pods.list(name)).items) {
      if (exempt.runtimeClasses.has((pod.spec as PodSpec | undefined)?.runtimeClassName ?? "\0")) continue;
      const v = evaluatePod(pod as PodView, policy.enforce.level, policy.enforce.minor ?? LATEST_MINOR);
      if (!v.length) continue;
      const reasons = v.map((x) => x.reason).join(", ");
      byReasons.set(reasons, [...(byReasons.get(reasons) ?? []), pod.metadata?.name ?? ""]);
    }
    if (byReasons.size === 0) return;
    warn(req, `existing pods in namespace "${name}" violate the new PodSecurity enforce level "${formatLevelVersion(policy.enforce)}"`);
    for (const [reasons, names] of byReasons) {
      const others = names.length - 1;
      warn(req, `${names[0]}${others > 0 ? ` (and ${others} other ${others === 1 ? "pod" : "pods"})` : ""}: ${reasons}`);
    }
  }

  return {
    name: "PodSecurity",

    async validate(req) {
      if (req.operation === "DELETE") return;
      const { group, plural } = req.def;
      if (group === "" && plural === "namespaces" && !req.ctx.subresource) return checkNamespace(req);
      const namespace = req.obj.metadata?.namespace || req.ctx.namespace;
      if (!namespace) return;
      if (group === "" && plural === "pods") {
        const sub = req.ctx.subresource;
        if (sub && sub !== "ephemeralcontainers") return;
        if (req.operation === "UPDATE" && req.old && !sub && !significantPodUpdate(req.obj, req.old)) return;
        return admitPod(req, namespace);
      }
      const template = POD_CONTROLLERS[`${group}/${plural}`];
      if (!template || req.ctx.subresource) return;
      const spec = template(req.obj);
      if (!spec) return;
      if (req.operation === "UPDATE" && req.old && JSON.stringify(template(req.old)) === JSON.stringify(spec)) return;
      await admitTemplate(req, namespace, spec as PodView);
    },
  };
}
