/**
 * The LimitRanger admission plugin (upstream's plugin/pkg/admission/limitranger): a namespace's
 * LimitRanges give containers their default requests and limits (noted in the pod's
 * kubernetes.io/limit-ranger annotation) and bound what containers, pods and claims may ask for:
 * min, max and maxLimitRequestRatio, refused with upstream's messages, e.g.
 * `pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2`.
 * Pods are admitted on create only (their containers cannot change); claims on create and update.
 */
import type { KubeObject } from "../api/types.ts";
import { ApiError, errors } from "../api/errors.ts";
import type { GenericStore } from "../registry/store.ts";
import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod, ResourceList } from "../resources/core/types.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./chain.ts";
import { amountsOf, podAmounts, showAmount, showQuantity, type Amounts } from "./resources.ts";
import { parseQuantity } from "../validation/quantity.ts";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

export interface LimitRangerOptions {
  /** The LimitRange store (looked up late: the registry that holds it is built with this plugin). */
  limitRanges(): GenericStore | undefined;
}

function kindOf(req: AdmissionRequest): "pod" | "pvc" | undefined {
  if (req.def.group !== "" || req.ctx.subresource) return undefined;
  if (req.def.plural === "pods") return req.operation === "CREATE" ? "pod" : undefined;
  if (req.def.plural === "persistentvolumeclaims") return req.operation === "CREATE" || req.operation === "UPDATE" ? "pvc" : undefined;
  return undefined;
}

/** Sets the defaults a container lacks; returns upstream's notes ("cpu request for container c"). */
function mergeDefaults(c: Container, defaults: { limits: ResourceList; requests: ResourceList }, what: string): string[] {
  const notes: string[] = [];
  const resources = (c.resources ??= {});
  const set = (which: "limits" | "requests") => {
    const current = (resources[which] ?? {}) as ResourceList;
    const added: string[] = [];
    for (const [k, v] of Object.entries(defaults[which])) {
      if (k in current) continue;
      current[k] = v;
      added.push(k);
    }
    if (Object.keys(current).length > 0) resources[which] = current;
    if (added.length > 0) notes.push(`${added.sort().join(", ")} ${which === "limits" ? "limit" : "request"} for ${what} ${c.name}`);
  };
  set("limits");
  set("requests");
  return notes;
}

function defaultsOf(items: LimitRangeItem[]): { limits: ResourceList; requests: ResourceList } {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const item of items) {
    if (item.type !== "Container") continue;
    Object.assign(requests, item.defaultRequest);
    Object.assign(limits, item.default);
  }
  return { limits, requests };
}

function minConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const want = parseQuantity(enforced)?.nanos ?? 0n;
  const req = requests[name];
  const lim = limits[name];
  if (req === undefined) return `minimum ${name} usage per ${type} is ${showQuantity(enforced)}.  No request is specified`;
  if (amountOf(req) < want) return `minimum ${name} usage per ${type} is ${showQuantity(enforced)}, but request is ${showQuantity(req)}`;
  if (lim !== undefined && amountOf(lim) < want) return `minimum ${name} usage per ${type} is ${showQuantity(enforced)}, but limit is ${showQuantity(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const want = parseQuantity(enforced)?.nanos ?? 0n;
  const req = requests[name];
  const lim = limits[name];
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${showQuantity(enforced)}.  No limit is specified`;
  if (amountOf(lim) > want) return `maximum ${name} usage per ${type} is ${showQuantity(enforced)}, but limit is ${showQuantity(lim)}`;
  if (req !== undefined && amountOf(req) > want) return `maximum ${name} usage per ${type} is ${showQuantity(enforced)}, but request is ${showQuantity(req)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: string, requests: ResourceList): string | undefined {
  const req = requests[name];
  if (req === undefined) return `maximum ${name} usage per ${type} is ${showQuantity(enforced)}.  No request is specified`;
  if (amountOf(req) > (parseQuantity(enforced)?.nanos ?? 0n)) return `maximum ${name} usage per ${type} is ${showQuantity(enforced)}, but request is ${showQuantity(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name] === undefined ? 0n : amountOf(requests[name]!);
  const lim = limits[name] === undefined ? 0n : amountOf(limits[name]!);
  if (req === 0n) return `${name} max limit to request ratio per ${type} is ${showQuantity(enforced)}, but no request is specified or request is 0`;
  if (lim === 0n) return `${name} max limit to request ratio per ${type} is ${showQuantity(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(lim) / Number(req);
  // Upstream compares the ratio times 1000 with the enforced value in milli-units.
  const maxMilli = Number((parseQuantity(enforced)?.nanos ?? 0n) / 1_000_000n);
  if (ratio * 1000 > maxMilli) return `${name} max limit to request ratio per ${type} is ${showQuantity(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function amountOf(text: string): bigint {
  return parseQuantity(String(text))?.nanos ?? 0n;
}

function listOf(amounts: Amounts): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of amounts) out[k] = showAmount(v);
  return out;
}

const sorted = (list: ResourceList | undefined) => Object.entries(list ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Upstream's PodValidateLimitFunc. */
function podProblems(item: LimitRangeItem, pod: Pod): string[] {
  const out: string[] = [];
  const check = (requests: ResourceList, limits: ResourceList) => {
    for (const [k, v] of sorted(item.min)) pushDefined(out, minConstraint(item.type, k, v, requests, limits));
    for (const [k, v] of sorted(item.max)) pushDefined(out, maxConstraint(item.type, k, v, requests, limits));
    for (const [k, v] of sorted(item.maxLimitRequestRatio)) pushDefined(out, ratioConstraint(item.type, k, v, requests, limits));
  };
  if (item.type === "Container") {
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      check((c.resources?.requests ?? {}) as ResourceList, (c.resources?.limits ?? {}) as ResourceList);
    }
  }
  if (item.type === "Pod") check(listOf(podAmounts(pod, "requests")), listOf(podAmounts(pod, "limits")));
  return out;
}

function claimProblems(item: LimitRangeItem, pvc: PersistentVolumeClaim): string[] {
  if (item.type !== "PersistentVolumeClaim") return [];
  const requests = (pvc.spec?.resources?.requests ?? {}) as ResourceList;
  const out: string[] = [];
  for (const [k, v] of sorted(item.min)) pushDefined(out, minConstraint(item.type, k, v, requests, {}));
  for (const [k, v] of sorted(item.max)) pushDefined(out, maxRequestConstraint(item.type, k, v, requests));
  return out;
}

function pushDefined(out: string[], msg: string | undefined): void {
  if (msg !== undefined) out.push(msg);
}

/** Go's errors.NewAggregate text: one message as it is, several in brackets. */
export function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(", ")}]`;
}

export function limitRanger(opts: LimitRangerOptions): AdmissionPlugin {
  async function rangesIn(namespace: string): Promise<LimitRange[]> {
    const store = opts.limitRanges();
    if (!store || !namespace) return [];
    return (await store.list(namespace)).items as LimitRange[];
  }

  const skipDeleting = (req: AdmissionRequest) => Boolean(req.old?.metadata?.deletionTimestamp);

  return {
    name: "LimitRanger",

    async mutate(req) {
      if (kindOf(req) !== "pod" || skipDeleting(req)) return;
      const ranges = await rangesIn(req.obj.metadata?.namespace || req.ctx.namespace);
      if (ranges.length === 0) return;
      const pod = req.obj as Pod;
      const notes: string[] = [];
      for (const lr of ranges) {
        const defaults = defaultsOf(lr.spec?.limits ?? []);
        if (!Object.keys(defaults.limits).length && !Object.keys(defaults.requests).length) continue;
        for (const c of pod.spec?.containers ?? []) notes.push(...mergeDefaults(c, defaults, "container"));
        for (const c of pod.spec?.initContainers ?? []) notes.push(...mergeDefaults(c, defaults, "init container"));
      }
      if (notes.length > 0) {
        const meta = (req.obj.metadata ??= {});
        meta.annotations = { ...meta.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
      }
    },

    async validate(req) {
      const kind = kindOf(req);
      if (!kind || skipDeleting(req)) return;
      const ranges = await rangesIn(req.obj.metadata?.namespace || req.ctx.namespace);
      const refusals: string[] = [];
      for (const lr of ranges) {
        const problems = (lr.spec?.limits ?? []).flatMap((item) => (kind === "pod" ? podProblems(item, req.obj as Pod) : claimProblems(item, req.obj as PersistentVolumeClaim)));
        if (problems.length > 0) refusals.push(aggregate(problems));
      }
      if (refusals.length > 0) throw forbidden(req, aggregate(refusals));
    },
  };
}

function forbidden(req: AdmissionRequest, why: string): ApiError {
  return errors.forbidden({ group: req.def.group, resource: req.def.plural, name: (req.obj as KubeObject).metadata?.name }, why);
}
