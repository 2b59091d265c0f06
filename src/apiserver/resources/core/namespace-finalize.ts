/**
 * namespaces/finalize: the one way to change a namespace's spec.finalizers (upstream's
 * FinalizeREST). The namespace controller removes its "kubernetes" finalizer here once the
 * namespace is empty; a terminating namespace whose finalizers are all gone is deleted by that
 * write. Like upstream, the body replaces the namespace as a PUT does, except its status.
 */
import type { ExtraSubresource } from "../../registry/definition.ts";

export const FINALIZE_SUBRESOURCE = "finalize";

export const namespaceFinalize: ExtraSubresource = {
  name: FINALIZE_SUBRESOURCE,
  kind: "Namespace",
  verbs: ["update"],
  async update(req, body) {
    const ctx = { ...req.ctx, subresource: FINALIZE_SUBRESOURCE };
    return (await req.store.update(req.namespace, req.name, body, ctx, { dryRun: req.dryRun })).object;
  },
};
