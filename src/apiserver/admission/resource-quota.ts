/**
 * The ResourceQuota admission plugin (upstream's plugin/pkg/admission/resourcequota): a create
 * (or an update that grows usage) in a namespace with ResourceQuotas is charged against each
 * quota that covers it. Refusals use upstream's messages: `exceeded quota: <name>, requested: ...,
 * used: ..., limited: ...`, `failed quota: <name>: must specify limits.cpu for: c` when a pod
 * leaves out what a quota on cpu or memory needs, and `status unknown for quota: ...` before the
 * quota controller has counted. Admitted usage is written to the quota's status.used at once
 * (not for dry runs), under a per-namespace lock and a resourceVersion precondition, so
 * concurrent creates cannot overshoot a quota together.
 */
import type { KubeObject } from "../api/types.ts";
import { ApiError, errors } from "../api/errors.ts";
import type { GenericStore } from "../registry/store.ts";
import type { RequestContext } from "../registry/definition.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./chain.ts";
import { formatResourceList, missingDeclarations, parseResourceList, prettyPrint, quotaMatches, resourceOfQuotaName, scopedQuotaTracks, usageOf, type Usage } from "../../quota/index.ts";

export interface ResourceQuotaOptions {
  /** The ResourceQuota store (looked up late: the registry that holds it is built with this plugin). */
  quotas(): GenericStore | undefined;
}

interface QuotaObject extends KubeObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

const SYSTEM: RequestContext["user"] = { username: "system:apiserver", groups: ["system:masters"] };
/** Updates whose usage can change (others are charged at creation only). */
const UPDATABLE = new Set(["pods", "services", "persistentvolumeclaims"]);

/** Whether quota name `name` can be charged by objects of this group/resource. */
function chargedBy(name: string, group: string, resource: string): boolean {
  const owner = resourceOfQuotaName(name);
  return owner !== undefined && owner.group === group && owner.resource === resource;
}

function forbidden(req: AdmissionRequest, why: string): ApiError {
  return errors.forbidden({ group: req.def.group, resource: req.def.plural, name: req.obj.metadata?.name }, why);
}

export function resourceQuotaAdmission(opts: ResourceQuotaOptions): AdmissionPlugin {
  const locks = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier charge in the namespace (one process holds one queue per namespace). */
  async function serialized<T>(namespace: string, fn: () => Promise<T>): Promise<T> {
    const before = locks.get(namespace) ?? Promise.resolve();
    const done = Promise.withResolvers<void>();
    const mine = before.then(() => done.promise);
    locks.set(namespace, mine);
    await before;
    try {
      return await fn();
    } finally {
      done.resolve();
      if (locks.get(namespace) === mine) locks.delete(namespace);
    }
  }

  function delta(req: AdmissionRequest, group: string, resource: string): Usage {
    const now = req.ctx.now;
    const next = usageOf(group, resource, req.obj as Record<string, unknown>, now);
    if (req.operation === "CREATE" || !req.old) return next;
    const prev = usageOf(group, resource, req.old as Record<string, unknown>, now);
    const out: Usage = new Map();
    for (const [k, v] of next) {
      const d = v - (prev.get(k) ?? 0n);
      if (d > 0n) out.set(k, d);
    }
    return out;
  }

  async function charge(req: AdmissionRequest, store: GenericStore, namespace: string): Promise<void> {
    const { group, plural: resource } = req.def;
    const quotas = (await store.list(namespace)).items as QuotaObject[];
    if (quotas.length === 0) return;
    const wanted = delta(req, group, resource);
    const charges: Array<{ quota: QuotaObject; requested: Usage }> = [];
    for (const quota of quotas) {
      if (!quotaMatches(quota as Record<string, unknown>, group, resource, req.obj as Record<string, unknown>)) continue;
      const hard = quota.status?.hard ?? {};
      const restricted = Object.keys(hard)
        .filter((n) => chargedBy(n, group, resource) && scopedQuotaTracks(quota as Record<string, unknown>, n))
        .sort();
      if (restricted.length === 0) continue;
      const name = quota.metadata?.name ?? "";
      if (group === "" && resource === "pods" && req.operation === "CREATE") {
        const missing = missingDeclarations(req.obj as Record<string, unknown>, restricted);
        if (missing) throw forbidden(req, `failed quota: ${name}: ${missing}`);
      }
      const used = quota.status?.used ?? {};
      const unknown = restricted.filter((n) => !(n in used));
      if (unknown.length > 0) throw forbidden(req, `status unknown for quota: ${name}, resources: ${unknown.join(",")}`);
      const requested: Usage = new Map();
      for (const n of restricted) if (wanted.has(n)) requested.set(n, wanted.get(n)!);
      if (requested.size === 0) continue;
      const usedNow = parseResourceList(used);
      const limits = parseResourceList(hard);
      const exceeded = [...requested.keys()].filter((n) => (usedNow.get(n) ?? 0n) + requested.get(n)! > (limits.get(n) ?? 0n));
      if (exceeded.length > 0) {
        const pick = (u: Usage) => new Map(exceeded.map((n) => [n, u.get(n) ?? 0n]));
        throw forbidden(
          req,
          `exceeded quota: ${name}, requested: ${prettyPrint(formatResourceList(pick(requested), hard))}, used: ${prettyPrint(formatResourceList(pick(usedNow), hard))}, limited: ${prettyPrint(formatResourceList(pick(limits), hard))}`,
        );
      }
      charges.push({ quota, requested });
    }
    if (req.ctx.dryRun) return;
    for (const { quota, requested } of charges) await record(store, namespace, quota, requested, req.ctx.now);
  }

  /** Adds the admitted usage to the quota's status (a conflict means another server charged it: refuse, the client retries). */
  async function record(store: GenericStore, namespace: string, quota: QuotaObject, requested: Usage, now: number): Promise<void> {
    const next = structuredClone(quota);
    const used = parseResourceList(next.status?.used);
    for (const [k, v] of requested) used.set(k, (used.get(k) ?? 0n) + v);
    next.status = { ...next.status, used: { ...next.status?.used, ...formatResourceList(new Map([...requested.keys()].map((k) => [k, used.get(k)!])), next.status?.hard) } };
    try {
      await store.update(namespace, quota.metadata!.name!, next, { user: SYSTEM, namespace, dryRun: false, now, fieldManager: "resourcequota-admission" }, { subresource: "status" });
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) {
        throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on resourcequotas "${quota.metadata?.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: quota.metadata?.name, kind: "resourcequotas" });
      }
      throw err;
    }
  }

  return {
    name: "ResourceQuota",

    async validate(req) {
      if (!req.def.namespaced || req.ctx.subresource) return;
      if (req.operation !== "CREATE" && !(req.operation === "UPDATE" && req.def.group === "" && UPDATABLE.has(req.def.plural))) return;
      const store = opts.quotas();
      const namespace = req.obj.metadata?.namespace || req.ctx.namespace;
      if (!store || !namespace) return;
      // Namespaces without quotas (most) are not serialized; the charge re-reads under the lock.
      if ((await store.list(namespace, { limit: 1 })).items.length === 0) return;
      await serialized(namespace, () => charge(req, store, namespace));
    },
  };
}
