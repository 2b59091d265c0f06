/**
 * The TokenRequest API (serviceaccounts/token, upstream's pkg/registry/core/serviceaccount/storage
 * token REST): a bound token for a service account, for the asked audiences (the API's by
 * default) and lifetime (1 hour by default, at least 10 minutes), optionally bound to a Pod,
 * Secret or Node of the account's namespace. A kubelet's 3607-second request for the API's own
 * audiences is extended to a year (with a warnafter claim), as --service-account-extend-token-expiration does.
 */
import type { KeyObject } from "node:crypto";
import type { AuthenticationV1TokenRequest } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../api/types.ts";
import type { ExtraSubresource, SubresourceRequest } from "../registry/definition.ts";
import type { Pod } from "../resources/core/types.ts";
import { errors } from "../api/errors.ts";
import { field } from "../validation/field.ts";
import { rfc3339 } from "../registry/object-meta.ts";
import { signJwt } from "../authn/jwt.ts";
import { checkNodeTokenRequest, nodeIdentity } from "../authz/index.ts";
import { boundClaims, type ObjectRef } from "./claims.ts";

type TokenRequest = Wire<AuthenticationV1TokenRequest>;

export const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;
/** The kubelet asks for this lifetime; such tokens are extended (upstream's WarnOnlyBoundTokenExpirationSeconds). */
export const WARN_ONLY_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

export interface TokenIssuerOptions {
  /** The issuer new tokens name (the first --service-account-issuer). */
  issuer: string;
  apiAudiences: string[];
  signingKey: KeyObject;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
  /** --service-account-max-token-expiration in seconds (0: no limit). */
  maxExpirationSeconds?: number;
  now?: () => number;
}

const invalid = (name: string, path: string, value: unknown, why: string) => errors.invalid({ group: "authentication.k8s.io", kind: "TokenRequest", name }, [field.invalid(path, value, why)]);

async function boundObject(req: SubresourceRequest, tr: TokenRequest, saName: string): Promise<{ pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef; podObj?: Pod }> {
  const ref = tr.spec?.boundObjectRef;
  if (!ref) return {};
  const ns = req.namespace;
  const lookup = (plural: string) => req.resources.lookup("", "v1", plural);
  const gv = ref.apiVersion ?? "";
  const group = gv.includes("/") ? gv.slice(0, gv.indexOf("/")) : "";
  let found: KubeObject;
  const out: { pod?: ObjectRef; secret?: ObjectRef; node?: ObjectRef; podObj?: Pod } = {};
  if (group === "" && ref.kind === "Pod") {
    found = await lookup("pods")!.get(ns, ref.name ?? "");
    const pod = found as Pod;
    if (pod.spec?.serviceAccountName !== saName) throw errors.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    out.pod = { name: pod.metadata!.name!, uid: pod.metadata!.uid! };
    out.podObj = pod;
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      try {
        const node = await lookup("nodes")!.get("", nodeName);
        out.node = { name: nodeName, uid: node.metadata?.uid ?? "" };
      } catch {
        // The node may be gone already: the token simply names none.
      }
    }
  } else if (group === "" && ref.kind === "Secret") {
    found = await lookup("secrets")!.get(ns, ref.name ?? "");
    out.secret = { name: found.metadata!.name!, uid: found.metadata!.uid! };
  } else if (group === "" && ref.kind === "Node") {
    found = await lookup("nodes")!.get("", ref.name ?? "");
    out.node = { name: found.metadata!.name!, uid: found.metadata!.uid! };
  } else {
    throw errors.badRequest(`cannot bind token to object of type ${gv || "/"}, Kind=${ref.kind ?? ""}`);
  }
  if (ref.uid && ref.uid !== found.metadata?.uid) {
    throw errors.conflict({ resource: ref.kind, name: ref.name }, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return out;
}

export function tokenRequestSubresource(opts: TokenIssuerOptions): Pick<ExtraSubresource, "create"> {
  return {
    async create(req, body) {
      const tr = body as unknown as TokenRequest;
      const saName = req.name;
      if (tr.metadata?.name && tr.metadata.name !== saName) throw invalid(saName, "metadata.name", tr.metadata.name, "must match the service account name if specified");
      if (tr.metadata?.namespace && tr.metadata.namespace !== req.namespace) throw invalid(saName, "metadata.namespace", tr.metadata.namespace, "must match the service account namespace if specified");
      tr.spec ??= { audiences: [] };
      const requested = tr.spec.expirationSeconds ?? 3600;
      tr.spec.expirationSeconds = requested;
      if (requested < MIN_TOKEN_SECONDS) throw invalid(saName, "spec.expirationSeconds", requested, "may not specify a duration less than 10 minutes");
      if (requested > MAX_TOKEN_SECONDS) throw invalid(saName, "spec.expirationSeconds", requested, "may not specify a duration larger than 2^32 seconds");
      if (!tr.spec.audiences || tr.spec.audiences.length === 0) tr.spec.audiences = [...opts.apiAudiences];
      const sa = await req.store.get(req.namespace, saName);
      const bound = await boundObject(req, tr, saName);
      // NodeRestriction: a node asks only for tokens bound to its own pods.
      const id = nodeIdentity(req.ctx.user);
      if (id.isNode) {
        const why = checkNodeTokenRequest(id.nodeName, tr.spec.boundObjectRef ?? undefined, bound.podObj);
        if (why) throw errors.forbidden({ resource: "serviceaccounts", name: saName }, why);
      }
      let lifetime = requested;
      if (opts.maxExpirationSeconds && lifetime > opts.maxExpirationSeconds) lifetime = opts.maxExpirationSeconds;
      let warnAfter: number | undefined;
      const kubeAudiences = tr.spec.audiences.every((a: string) => opts.apiAudiences.includes(a));
      if ((opts.extendExpiration ?? true) && bound.pod && requested === WARN_ONLY_EXPIRATION_SECONDS && kubeAudiences) {
        warnAfter = requested;
        lifetime = EXTENDED_EXPIRATION_SECONDS;
      }
      const nowMs = (opts.now ?? Date.now)();
      const nowSeconds = Math.floor(nowMs / 1000);
      const claims = boundClaims({
        issuer: opts.issuer,
        audiences: tr.spec.audiences,
        namespace: req.namespace,
        serviceAccount: { name: saName, uid: sa.metadata?.uid ?? "" },
        pod: bound.pod,
        secret: bound.secret,
        node: bound.node,
        expirationSeconds: lifetime,
        warnAfterSeconds: warnAfter,
        nowSeconds,
      });
      const answer: TokenRequest = {
        kind: "TokenRequest",
        apiVersion: "authentication.k8s.io/v1",
        metadata: { ...tr.metadata, name: saName, namespace: req.namespace, creationTimestamp: rfc3339(nowMs) },
        spec: tr.spec,
        status: { token: req.dryRun ? "" : signJwt(claims, opts.signingKey), expirationTimestamp: rfc3339((nowSeconds + (warnAfter ?? lifetime)) * 1000) },
      };
      return { object: answer as unknown as KubeObject, code: 201 };
    },
  };
}
