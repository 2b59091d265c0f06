/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (upstream's
 * admission/plugin/webhook): the webhooks of every MutatingWebhookConfiguration (called one after
 * another, configurations by name, patches applied as they come) and ValidatingWebhookConfiguration
 * (called in parallel) that match a request get an admission.k8s.io/v1 AdmissionReview over HTTPS.
 * A refusal reads `admission webhook "<name>" denied the request: <message>`; a webhook that cannot
 * be called fails the request (failurePolicy Fail: `failed calling webhook "<name>": ...`) or is
 * skipped (Ignore). Dry runs only reach webhooks without side effects. Mutating webhooks with
 * reinvocationPolicy IfNeeded are called once more when a later step changed the object.
 * Webhook warnings go to the Warning header and their audit annotations to the audit event.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../../log/index.ts";
import type { KubeObject } from "../../api/types.ts";
import { ApiError, errors, type Status, type StatusReason } from "../../api/errors.ts";
import type { GenericStore } from "../../registry/store.ts";
import type { Webhook, WebhookConfiguration } from "../../resources/admissionregistration/types.ts";
import { applyPatch } from "../../patch/index.ts";
import { REINVOKE, type AdmissionPlugin, type AdmissionRequest } from "../chain.ts";
import { compileAdmissionExpression, evaluate, requestVariable, type CompiledExpression } from "../cel.ts";
import type { Authorizer } from "../../http/authz.ts";
import { AdmissionAuthorizer } from "../authorizer-variable.ts";
import { CallError, postJson, resolveEndpoint } from "./call.ts";
import { attributesOf, isExemptResource, namespaceLabels, objectSelectorMatches, ruleMatches, selectorMatches, type RequestAttributes, type RuleWithOperations } from "./matching.ts";

export interface WebhookPluginOptions {
  lookup(group: string, version: string, plural: string): GenericStore | undefined;
  /** The API server's authorizer, for the `authorizer` variable of matchConditions. */
  authorizer?(): Authorizer | undefined;
  log?: Logger;
  /** How long the configurations are served from cache without a write through this server. */
  cacheMs?: number;
}

type Kind = "mutating" | "validating";
const RESOURCE: Record<Kind, string> = { mutating: "mutatingwebhookconfigurations", validating: "validatingwebhookconfigurations" };

/** Configurations listed from the store, kept for a second and dropped on any write of them through this server. */
class ConfigCache {
  private cached: { at: number; configs: WebhookConfiguration[] } | undefined;
  private readonly conditions = new Map<string, CompiledExpression>();

  constructor(
    private readonly store: () => GenericStore | undefined,
    private readonly ttlMs: number,
  ) {}

  async get(): Promise<WebhookConfiguration[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.configs;
    const items = ((await this.store()?.list(""))?.items ?? []) as WebhookConfiguration[];
    items.sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
    this.cached = { at: now, configs: items };
    return items;
  }

  invalidate(): void {
    this.cached = undefined;
    this.conditions.clear();
  }

  condition(expression: string): CompiledExpression {
    let c = this.conditions.get(expression);
    if (!c) {
      c = compileAdmissionExpression(expression);
      this.conditions.set(expression, c);
    }
    return c;
  }
}

interface Candidate {
  config: string;
  webhook: Webhook;
  /** Position for audit annotations. */
  index: number;
}

/** upstream's ToStatusErr: a webhook's refusal as the API error the client gets. */
export function denial(name: string, result: Partial<Status> | undefined): ApiError {
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const code = result?.code && result.code >= 400 ? result.code : 403;
  const message = result?.message ? `${deniedBy}: ${result.message}` : result?.reason ? `${deniedBy}: ${result.reason}` : `${deniedBy} without explanation`;
  return new StatusError(code, (result?.reason ?? "") as StatusReason, message, result?.details);
}

/** An error whose Status keeps the webhook's reason as given (none: left out, as Go's omitempty). */
class StatusError extends ApiError {
  override toStatus(): Status {
    const status = super.toStatus();
    if (!status.reason) delete (status as { reason?: string }).reason;
    return status;
  }
}

function callingError(name: string, why: string): ApiError {
  return errors.internal(new Error(`failed calling webhook ${JSON.stringify(name)}: ${why}`));
}

function optionsKind(op: string): string {
  return op === "CREATE" ? "CreateOptions" : op === "UPDATE" ? "UpdateOptions" : "DeleteOptions";
}

export function webhookPlugins(opts: WebhookPluginOptions): { mutating: AdmissionPlugin; validating: AdmissionPlugin } {
  const ttl = opts.cacheMs ?? 1000;
  const caches: Record<Kind, ConfigCache> = {
    mutating: new ConfigCache(() => opts.lookup("admissionregistration.k8s.io", "v1", RESOURCE.mutating), ttl),
    validating: new ConfigCache(() => opts.lookup("admissionregistration.k8s.io", "v1", RESOURCE.validating), ttl),
  };
  const log = opts.log;

  /** Configuration writes through this server take effect at once. */
  function noteConfigWrite(req: AdmissionRequest): void {
    if (req.def.plural === RESOURCE.mutating) caches.mutating.invalidate();
    if (req.def.plural === RESOURCE.validating) caches.validating.invalidate();
  }

  async function candidates(kind: Kind): Promise<Candidate[]> {
    const out: Candidate[] = [];
    let index = 0;
    for (const cfg of await caches[kind].get()) for (const webhook of cfg.webhooks ?? []) out.push({ config: cfg.metadata?.name ?? "", webhook, index: index++ });
    return out;
  }

  /** Whether a webhook wants this request: rules, selectors, then match conditions (errors follow the failure policy). */
  async function wants(kind: Kind, c: Candidate, req: AdmissionRequest, a: RequestAttributes): Promise<boolean> {
    const w = c.webhook;
    const equivalent = (w.matchPolicy ?? "Equivalent") === "Equivalent" ? (v: string) => opts.lookup(a.group, v, a.resource) !== undefined : undefined;
    if (!(w.rules ?? []).some((r) => ruleMatches(r as RuleWithOperations, a, equivalent))) return false;
    const ns = await namespaceLabels(req, opts.lookup("", "v1", "namespaces"));
    if (ns && !selectorMatches(w.namespaceSelector, ns.labels)) return false;
    if (!objectSelectorMatches(w.objectSelector, req)) return false;
    const authz = new AdmissionAuthorizer(opts.authorizer?.(), req.ctx.user);
    for (const mc of w.matchConditions ?? []) {
      const compiled = caches[kind].condition(mc.expression ?? "");
      try {
        if (!compiled.ok) throw new Error(compiled.error);
        const vars = {
          object: req.operation === "DELETE" ? null : req.obj,
          oldObject: req.operation === "CREATE" ? null : req.old,
          request: requestVariable(a, req.ctx.user, req.ctx.dryRun, req.def.kind, ""),
          authorizer: authz.variable(a),
        };
        const v = await authz.run(() => evaluate(compiled.program, vars));
        if (v !== true) return false;
      } catch (err) {
        if ((w.failurePolicy ?? "Fail") === "Ignore") return false;
        throw errors.internal(new Error(`failed calling webhook ${JSON.stringify(w.name)}: failed to evaluate match condition ${JSON.stringify(mc.name)}: ${(err as Error).message}`));
      }
    }
    return true;
  }

  function reviewOf(req: AdmissionRequest, a: RequestAttributes, uid: string): Record<string, unknown> {
    const gvk = { group: a.group, version: a.version, kind: req.def.kind };
    const gvr = { group: a.group, version: a.version, resource: a.resource };
    const user = req.ctx.user;
    const request: Record<string, unknown> = {
      uid,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: a.name,
      operation: a.operation,
      userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
      object: req.operation === "DELETE" ? null : req.obj,
      oldObject: req.operation === "CREATE" ? null : (req.old ?? null),
      dryRun: req.ctx.dryRun,
      options: { kind: optionsKind(a.operation), apiVersion: "meta.k8s.io/v1" },
    };
    if (a.subresource) {
      request.subResource = a.subresource;
      request.requestSubResource = a.subresource;
    }
    if (a.namespace) request.namespace = a.namespace;
    return { kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1", request };
  }

  /** Calls one webhook; undefined when it failed and its failure policy is Ignore. */
  async function call(c: Candidate, req: AdmissionRequest, a: RequestAttributes): Promise<AdmissionResponse | undefined> {
    const w = c.webhook;
    const name = w.name ?? "";
    if (req.ctx.dryRun && w.sideEffects !== "None" && w.sideEffects !== "NoneOnDryRun") throw errors.badRequest(`admission webhook ${JSON.stringify(name)} does not support dry run`);
    const uid = randomUUID();
    try {
      const endpoint = await resolveEndpoint(w.clientConfig ?? {}, opts.lookup("", "v1", "services"));
      const answer = (await postJson(endpoint, w.clientConfig?.caBundle, reviewOf(req, a, uid), w.timeoutSeconds ?? 10)) as { response?: AdmissionResponse; apiVersion?: string; kind?: string };
      const response = answer?.response;
      if (!response) throw new CallError("received invalid webhook response: response is nil");
      if (response.uid !== uid) throw new CallError(`expected response.uid="${uid}", got "${response.uid ?? ""}"`);
      return response;
    } catch (err) {
      if (!(err instanceof CallError)) throw err;
      const why = err.message.startsWith("Post ") ? `failed to call webhook: ${err.message}` : err.message;
      if ((w.failurePolicy ?? "Fail") === "Ignore") {
        log?.v(2).info("webhook failed and its failure policy is Ignore", { webhook: name, err: why });
        return undefined;
      }
      throw callingError(name, why);
    }
  }

  /** Warnings and audit annotations of a webhook's answer. */
  function record(req: AdmissionRequest, name: string, response: AdmissionResponse): void {
    const scope = req.ctx.scope;
    if (!scope) return;
    for (const w of response.warnings ?? []) scope.warnings.push(w);
    for (const [k, v] of Object.entries(response.auditAnnotations ?? {})) scope.auditAnnotations[`${name}/${k}`] = v;
  }

  /** Replaces the request's object, in place, by the patched one (then defaulted, as upstream decodes it). */
  function applyResponsePatch(req: AdmissionRequest, name: string, response: AdmissionResponse): boolean {
    if (!response.patch) return false;
    if (response.patchType !== "JSONPatch") throw callingError(name, `unsupported patch type ${JSON.stringify(response.patchType ?? "")}`);
    let patched: KubeObject;
    try {
      patched = applyPatch("application/json-patch+json", req.obj, Buffer.from(response.patch, "base64"));
    } catch (err) {
      throw errors.internal(new Error(`JSON Patch: ${(err as Error).message}`));
    }
    req.def.strategy?.defaults?.(patched);
    const before = JSON.stringify(req.obj);
    for (const k of Object.keys(req.obj)) delete (req.obj as Record<string, unknown>)[k];
    Object.assign(req.obj, patched);
    return JSON.stringify(req.obj) !== before;
  }

  const mutating: AdmissionPlugin = {
    name: "MutatingAdmissionWebhook",
    async mutate(req) {
      if (isExemptResource(req)) return;
      const a = attributesOf(req);
      const invoked = (req.state.get("webhook.invoked") as Map<string, string> | undefined) ?? new Map<string, string>();
      req.state.set("webhook.invoked", invoked);
      const round = req.reinvocation ? 1 : 0;
      for (const c of await candidates("mutating")) {
        const key = `${c.config}/${c.webhook.name}`;
        if (req.reinvocation) {
          // Only IfNeeded webhooks that ran, and whose object changed since, are called again.
          const seen = invoked.get(key);
          if (seen === undefined || seen === JSON.stringify(req.obj)) continue;
        }
        if (!(await wants("mutating", c, req, a))) continue;
        const response = await call(c, req, a);
        if (!response) continue;
        record(req, c.webhook.name ?? "", response);
        if (!response.allowed) throw denial(c.webhook.name ?? "", response.status);
        const mutated = applyResponsePatch(req, c.webhook.name ?? "", response);
        req.ctx.scope && (req.ctx.scope.auditAnnotations[`mutation.webhook.admission.k8s.io/round_${round}_index_${c.index}`] = JSON.stringify({ configuration: c.config, webhook: c.webhook.name, mutated }));
        if (c.webhook.reinvocationPolicy === "IfNeeded" && !req.reinvocation) invoked.set(key, JSON.stringify(req.obj));
      }
      if (!req.reinvocation) {
        const now = JSON.stringify(req.obj);
        if ([...invoked.values()].some((seen) => seen !== now)) req.state.set(REINVOKE, true);
      }
    },
    async validate(req) {
      noteConfigWrite(req);
    },
  };

  const validating: AdmissionPlugin = {
    name: "ValidatingAdmissionWebhook",
    async validate(req) {
      if (isExemptResource(req)) return noteConfigWrite(req);
      const a = attributesOf(req);
      const chosen: Candidate[] = [];
      for (const c of await candidates("validating")) if (await wants("validating", c, req, a)) chosen.push(c);
      if (chosen.length === 0) return;
      const results = await Promise.allSettled(chosen.map((c) => call(c, req, a)));
      for (let i = 0; i < chosen.length; i++) {
        const r = results[i]!;
        if (r.status === "rejected") throw r.reason;
        const response = r.value;
        if (!response) continue;
        const name = chosen[i]!.webhook.name ?? "";
        record(req, name, response);
        if (!response.allowed) throw denial(name, response.status);
      }
    },
  };

  return { mutating, validating };
}

interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: Partial<Status>;
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}
