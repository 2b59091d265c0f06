/**
 * The Priority admission plugin (upstream's plugin/pkg/admission/priority): a new pod's
 * spec.priority and spec.preemptionPolicy come from its PriorityClass — the named one (403 when
 * it does not exist), else the global default class, else priority 0 and PreemptLowerPriority. A
 * pod may not state a priority or policy that differs from its class's. Updates keep the values
 * set at creation. Only one PriorityClass may be the global default.
 *
 * The default class is looked up from a cache kept for a second and cleared by every PriorityClass
 * write through this server (upstream reads an informer, as briefly behind); named classes are
 * read from the store.
 */
import type { KubeObject } from "../api/types.ts";
import { ApiError, errors } from "../api/errors.ts";
import type { GenericStore } from "../registry/store.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./chain.ts";

interface PriorityClassView {
  metadata?: { name?: string };
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

interface PodSpecView {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

export interface PriorityOptions {
  /** The PriorityClass store (looked up late: the registry that holds it is built with this plugin). */
  priorityClasses(): GenericStore | undefined;
  /** How long the default class may be served from cache without a write through this server. */
  cacheMs?: number;
}

const isPod = (r: AdmissionRequest) => r.def.group === "" && r.def.plural === "pods";
const isPriorityClass = (r: AdmissionRequest) => r.def.group === "scheduling.k8s.io" && r.def.plural === "priorityclasses";

export function priorityAdmission(opts: PriorityOptions): AdmissionPlugin {
  let cached: { at: number; defaultClass: PriorityClassView | undefined } | undefined;

  function store(): GenericStore {
    const s = opts.priorityClasses();
    if (!s) throw errors.internal(new Error("priorityclasses are not served"));
    return s;
  }

  /** The global default class; of several (a race), the one with the lowest value, as upstream picks. */
  async function defaultClass(fresh = false): Promise<PriorityClassView | undefined> {
    const now = Date.now();
    if (!fresh && cached && now - cached.at < (opts.cacheMs ?? 1000)) return cached.defaultClass;
    const list = await store().list("");
    let found: PriorityClassView | undefined;
    for (const item of list.items as PriorityClassView[]) {
      if (item.globalDefault && (!found || (found.value ?? 0) > (item.value ?? 0))) found = item;
    }
    if (!fresh) cached = { at: now, defaultClass: found };
    return found;
  }

  async function namedClass(name: string, req: AdmissionRequest): Promise<PriorityClassView> {
    try {
      return (await store().get("", name)) as PriorityClassView;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) throw forbidden(req, `no PriorityClass with name ${name} was found`);
      throw err;
    }
  }

  function forbidden(req: AdmissionRequest, why: string): ApiError {
    return errors.forbidden({ group: req.def.group, resource: req.def.plural, name: req.obj.metadata?.name }, why);
  }

  async function admitPod(req: AdmissionRequest): Promise<void> {
    const spec = (req.obj as KubeObject & { spec?: PodSpecView }).spec;
    if (!spec) return;
    if (req.operation === "UPDATE") {
      const old = (req.old as (KubeObject & { spec?: PodSpecView }) | undefined)?.spec;
      if (spec.priority == null && old?.priority != null) spec.priority = old.priority;
      if (spec.preemptionPolicy == null && old?.preemptionPolicy != null) spec.preemptionPolicy = old.preemptionPolicy;
      return;
    }
    let priority = 0;
    let policy: string | undefined = "PreemptLowerPriority";
    if (!spec.priorityClassName) {
      const pc = await defaultClass();
      if (pc) {
        spec.priorityClassName = pc.metadata?.name;
        priority = pc.value ?? 0;
        policy = pc.preemptionPolicy;
      }
    } else {
      const pc = await namedClass(spec.priorityClassName, req);
      priority = pc.value ?? 0;
      policy = pc.preemptionPolicy;
    }
    if (spec.priority != null && spec.priority !== priority) {
      throw forbidden(req, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    spec.priority = priority;
    if (policy) {
      if (spec.preemptionPolicy != null && spec.preemptionPolicy !== policy) {
        throw forbidden(
          req,
          `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = policy;
    }
  }

  return {
    name: "Priority",

    async mutate(req) {
      if (req.ctx.subresource || !isPod(req)) return;
      if (req.operation === "CREATE" || req.operation === "UPDATE") await admitPod(req);
    },

    async validate(req) {
      if (!isPriorityClass(req)) return;
      // Any write may change which class is the default.
      cached = undefined;
      if (req.ctx.subresource || req.operation === "DELETE") return;
      const pc = req.obj as PriorityClassView;
      if (!pc.globalDefault) return;
      const current = await defaultClass(true);
      const name = current?.metadata?.name;
      if (name && (req.operation === "CREATE" || name !== pc.metadata?.name)) {
        throw forbidden(req, `PriorityClass ${name} is already marked as default. Only one default can exist`);
      }
    },
  };
}
