/**
 * The NamespaceLifecycle admission plugin (upstream's plugin/namespace/lifecycle): nothing is
 * created or updated in a namespace that does not exist (404 `namespaces "x" not found`), nothing
 * new is created in a namespace being terminated (403, with a NamespaceTerminating cause), and
 * the namespaces every cluster relies on cannot be deleted (403).
 *
 * Upstream reads namespaces from an informer cache with live lookups when the cache may be
 * stale; here the namespace is read from the store itself, which is always current.
 */
import type { KubeObject } from "../api/types.ts";
import type { GenericStore } from "../registry/store.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./chain.ts";
import { ApiError, errors } from "../api/errors.ts";

/** kube-apiserver's immortal namespaces (kube-node-lease may be deleted; it is recreated at start). */
export const IMMORTAL_NAMESPACES = ["default", "kube-system", "kube-public"];

/** Resources whose answers would reveal whether a namespace exists, so they are never refused for it. */
const ACCESS_REVIEWS = new Set(["authorization.k8s.io/localsubjectaccessreviews"]);

export interface NamespaceLifecycleOptions {
  /** The namespaces store (looked up late: the registry that holds it is built with this plugin). */
  namespaces(): GenericStore | undefined;
  immortal?: string[];
}

function isNamespace(req: AdmissionRequest): boolean {
  return req.def.group === "" && req.def.kind === "Namespace";
}

export function namespaceLifecycle(opts: NamespaceLifecycleOptions): AdmissionPlugin {
  const immortal = new Set(opts.immortal ?? IMMORTAL_NAMESPACES);

  /** The namespace, or the 404 upstream answers with when it does not exist. */
  async function namespaceOf(name: string): Promise<KubeObject> {
    const store = opts.namespaces();
    if (!store) throw errors.internal(new Error("namespaces are not served"));
    return store.get("", name);
  }

  return {
    name: "NamespaceLifecycle",

    async mutate(req) {
      if (req.operation === "DELETE" || isNamespace(req) || !req.def.namespaced) return;
      if (ACCESS_REVIEWS.has(`${req.def.group}/${req.def.plural}`)) return;
      const name = req.obj.metadata?.namespace || req.ctx.namespace;
      if (!name) return;
      const ns = await namespaceOf(name);
      // Later plugins of this request (PodSecurity, selectors) read the namespace from here.
      req.state.set(`namespace/${name}`, ns);
      if (req.operation !== "CREATE" || (ns.status as { phase?: string } | undefined)?.phase !== "Terminating") return;
      const refused = errors.forbidden(
        { group: req.def.group, resource: req.def.plural, name: req.obj.metadata?.name },
        `unable to create new content in namespace ${name} because it is being terminated`,
      );
      const cause = { reason: "NamespaceTerminating", message: `namespace ${name} is being terminated`, field: "metadata.namespace" };
      throw new ApiError(refused.code, refused.reason, refused.message, { ...refused.details, causes: [cause] });
    },

    // The store passes deletes through the validating step only (after reading the object).
    async validate(req) {
      if (req.operation !== "DELETE" || !isNamespace(req)) return;
      const name = req.obj.metadata?.name ?? "";
      if (immortal.has(name)) throw errors.forbidden({ resource: "namespaces", name }, "this namespace may not be deleted");
    },
  };
}
