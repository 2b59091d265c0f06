/**
 * The ValidatingAdmissionPolicy plugin (upstream's admission/plugin/policy/validating): every
 * ValidatingAdmissionPolicyBinding names a policy; when the policy's matchConstraints and the
 * binding's matchResources cover a request and the matchConditions hold, the policy's CEL
 * validations are evaluated with object, oldObject, request, params (from the binding's paramRef),
 * namespaceObject and variables. A failed validation is acted on as the binding says: Deny refuses
 * (`ValidatingAdmissionPolicy 'p' with binding 'b' denied request: <message>`, 422 Invalid unless
 * the validation names another reason), Warn adds a Warning header, Audit an audit annotation.
 * Evaluation errors follow the policy's failurePolicy. The `authorizer` variable checks what the
 * requesting user (or a named ServiceAccount) may do, through the API server's authorizer.
 */
import type { KubeObject } from "../../api/types.ts";
import { ApiError, errors, type StatusReason } from "../../api/errors.ts";
import type { GenericStore } from "../../registry/store.ts";
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, MatchResources, ParamRef } from "../../resources/admissionregistration/types.ts";
import { labelSelectorFromObject } from "../../selectors/index.ts";
import { CelMap, type Val } from "../../crd/schema/cel/values.ts";
import type { AdmissionPlugin, AdmissionRequest } from "../chain.ts";
import type { Authorizer } from "../../http/authz.ts";
import { AdmissionAuthorizer, rethrowPending } from "../authorizer-variable.ts";
import { CelError, compileAdmissionExpression, CostLimitError, evaluate, requestVariable, type AdmissionActivation, type CompiledExpression } from "../cel.ts";
import { attributesOf, isExemptResource, namedRuleMatches, namespaceLabels, objectSelectorMatches, selectorMatches, type RequestAttributes, type RuleWithOperations } from "../webhook/matching.ts";

export interface ValidatingPolicyOptions {
  lookup(group: string, version: string, plural: string): GenericStore | undefined;
  /** The API server's authorizer, for the `authorizer` variable. */
  authorizer?(): Authorizer | undefined;
  cacheMs?: number;
}

const GROUP = "admissionregistration.k8s.io";
const REASON_CODES: Record<string, number> = { Invalid: 422, Forbidden: 403, RequestEntityTooLarge: 413, Unauthorized: 401 };

interface Decision {
  message: string;
  reason: string;
  index: number;
}

/** A failure to evaluate, refused or ignored by the policy's failurePolicy. */
class EvaluationError extends Error {}

/** The policy's variables, each evaluated when an expression first reads it (as upstream's lazy composition). */
class LazyVariables extends CelMap {
  readonly isObject = false;
  private readonly values = new Map<string, Val>();

  constructor(
    private readonly defs: Array<{ name: string; compiled: CompiledExpression }>,
    private readonly vars: () => AdmissionActivation,
  ) {
    super();
  }

  size(): number {
    return this.defs.length;
  }

  find(key: Val): Val | undefined {
    if (typeof key !== "string") return undefined;
    if (this.values.has(key)) return this.values.get(key);
    const def = this.defs.find((d) => d.name === key);
    if (!def) return undefined;
    if (!def.compiled.ok) throw new EvaluationError(`variable "${key}": ${def.compiled.error}`);
    const v = evaluate(def.compiled.program, { ...this.vars(), variables: this });
    this.values.set(key, v);
    return v;
  }

  keys(): Val[] {
    return this.defs.map((d) => d.name);
  }
}

export function validatingAdmissionPolicy(opts: ValidatingPolicyOptions): AdmissionPlugin {
  const ttl = opts.cacheMs ?? 1000;
  let cached: { at: number; pairs: Array<{ policy: ValidatingAdmissionPolicy; binding: ValidatingAdmissionPolicyBinding }> } | undefined;
  const compiled = new Map<string, CompiledExpression>();

  function compile(expr: string, withVariables = true): CompiledExpression {
    const key = `${withVariables ? "v" : "-"}${expr}`;
    let c = compiled.get(key);
    if (!c) {
      c = compileAdmissionExpression(expr, { variables: withVariables });
      compiled.set(key, c);
    }
    return c;
  }

  async function pairs() {
    const now = Date.now();
    if (cached && now - cached.at < ttl) return cached.pairs;
    const policies = ((await opts.lookup(GROUP, "v1", "validatingadmissionpolicies")?.list(""))?.items ?? []) as ValidatingAdmissionPolicy[];
    const bindings = ((await opts.lookup(GROUP, "v1", "validatingadmissionpolicybindings")?.list(""))?.items ?? []) as ValidatingAdmissionPolicyBinding[];
    const byName = new Map(policies.map((p) => [p.metadata?.name, p]));
    const out = bindings
      .filter((b) => byName.has(b.spec?.policyName))
      .map((binding) => ({ policy: byName.get(binding.spec?.policyName)!, binding }))
      .sort((x, y) => ((x.binding.metadata?.name ?? "") < (y.binding.metadata?.name ?? "") ? -1 : 1));
    cached = { at: now, pairs: out };
    return out;
  }

  async function matches(mr: MatchResources | undefined, req: AdmissionRequest, a: RequestAttributes, requireRules: boolean): Promise<boolean> {
    if (!mr) return !requireRules;
    const equivalent = (mr.matchPolicy ?? "Equivalent") === "Equivalent" ? (v: string) => opts.lookup(a.group, v, a.resource) !== undefined : undefined;
    const rules = (mr.resourceRules ?? []) as RuleWithOperations[];
    if (rules.length > 0 || requireRules) {
      if (!rules.some((r) => namedRuleMatches(r, a, equivalent))) return false;
    }
    if (((mr.excludeResourceRules ?? []) as RuleWithOperations[]).some((r) => namedRuleMatches(r, a, equivalent))) return false;
    const ns = await namespaceLabels(req, opts.lookup("", "v1", "namespaces"));
    if (ns && !selectorMatches(mr.namespaceSelector, ns.labels)) return false;
    return objectSelectorMatches(mr.objectSelector, req);
  }

  /** The param objects a binding names; undefined when none are needed. */
  async function paramsOf(policy: ValidatingAdmissionPolicy, ref: ParamRef | undefined, a: RequestAttributes): Promise<Array<KubeObject | null> | "deny" | "allow"> {
    const kind = policy.spec?.paramKind;
    if (!kind) return [null];
    if (!ref) return "deny";
    const [group, version] = kind.apiVersion?.includes("/") ? kind.apiVersion.split("/") : ["", kind.apiVersion ?? "v1"];
    const store = findByKind(group!, version!, kind.kind ?? "");
    if (!store) return ref.parameterNotFoundAction === "Allow" ? "allow" : "deny";
    const namespace = store.def.namespaced ? (ref.namespace ?? a.namespace) : "";
    let found: KubeObject[] = [];
    if (ref.name) {
      try {
        found = [await store.get(namespace, ref.name)];
      } catch {
        found = [];
      }
    } else {
      const selector = labelSelectorFromObject(ref.selector ?? {});
      found = (await store.list(namespace)).items.filter((o) => selector.matches(o.metadata?.labels ?? {}));
    }
    if (found.length === 0) return ref.parameterNotFoundAction === "Allow" ? "allow" : "deny";
    return found;
  }

  function findByKind(group: string, version: string, kind: string): GenericStore | undefined {
    // The registry serves stores by plural; a kind is found by asking for its usual plural forms.
    const lower = kind.toLowerCase();
    for (const plural of [`${lower}s`, `${lower}es`, lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower]) {
      const s = opts.lookup(group, version, plural);
      if (s && s.def.kind === kind) return s;
    }
    return undefined;
  }

  function fail(message: string): never {
    throw new EvaluationError(message);
  }

  /** Evaluates one policy against one param; returns the failed validations. */
  function evaluatePolicy(policy: ValidatingAdmissionPolicy, base: AdmissionActivation): { failed: Decision[]; audit: Record<string, string> } {
    const spec = policy.spec ?? {};
    const variables = new LazyVariables(
      (spec.variables ?? []).map((v) => ({ name: v.name ?? "", compiled: compile(v.expression ?? "") })),
      () => base,
    );
    const vars: AdmissionActivation = { ...base, variables };
    for (const mc of spec.matchConditions ?? []) {
      const c = compile(mc.expression ?? "");
      if (!c.ok) fail(`matchCondition ${JSON.stringify(mc.name)}: ${c.error}`);
      let v: Val;
      try {
        v = evaluate(c.program, vars);
      } catch (err) {
        rethrowPending(err);
        fail(`failed to evaluate match condition ${JSON.stringify(mc.name)}: ${(err as Error).message}`);
      }
      if (v !== true) return { failed: [], audit: {} };
    }
    const failed: Decision[] = [];
    (spec.validations ?? []).forEach((validation, index) => {
      const expr = validation.expression ?? "";
      const c = compile(expr);
      if (!c.ok) fail(`expression '${expr}' resulted in error: ${c.error}`);
      let v: Val;
      try {
        v = evaluate(c.program, vars);
      } catch (err) {
        rethrowPending(err);
        fail(`expression '${expr}' resulted in error: ${(err as Error).message}`);
      }
      if (v === true) return;
      if (typeof v !== "boolean") fail(`expression '${expr}' resulted in error: expected boolean, got ${typeof v}`);
      let message = validation.message || `failed expression: ${expr.trim()}`;
      if (validation.messageExpression) {
        const m = compile(validation.messageExpression);
        try {
          const text = m.ok ? evaluate(m.program, vars) : undefined;
          if (typeof text === "string" && text.trim() !== "" && !text.includes("\n")) message = text;
        } catch (err) {
          rethrowPending(err);
          // upstream keeps the static message when the messageExpression fails
        }
      }
      failed.push({ message, reason: validation.reason ?? "Invalid", index });
    });
    const audit: Record<string, string> = {};
    for (const aa of spec.auditAnnotations ?? []) {
      const c = compile(aa.valueExpression ?? "");
      if (!c.ok) continue;
      try {
        const v = evaluate(c.program, vars);
        if (typeof v === "string") audit[`${policy.metadata?.name}/${aa.key}`] = v;
      } catch (err) {
        rethrowPending(err);
        // an annotation that cannot be computed is left out
      }
    }
    return { failed, audit };
  }

  return {
    name: "ValidatingAdmissionPolicy",
    async validate(req) {
      if (isExemptResource(req)) {
        if (req.def.group === GROUP && req.def.plural.startsWith("validatingadmissionpolic")) cached = undefined;
        return;
      }
      const all = await pairs();
      if (all.length === 0) return;
      const a = attributesOf(req);
      const ns = await namespaceLabels(req, opts.lookup("", "v1", "namespaces"));
      const auditFailures: unknown[] = [];
      const authz = new AdmissionAuthorizer(opts.authorizer?.(), req.ctx.user);
      for (const { policy, binding } of all) {
        if (!(await matches(policy.spec?.matchConstraints, req, a, true))) continue;
        if (!(await matches(binding.spec?.matchResources, req, a, false))) continue;
        const actions = binding.spec?.validationActions ?? [];
        const policyName = policy.metadata?.name ?? "";
        const bindingName = binding.metadata?.name ?? "";
        const ignore = policy.spec?.failurePolicy === "Ignore";
        const params = await paramsOf(policy, binding.spec?.paramRef, a);
        if (params === "allow") continue;
        const decisions: Decision[] = [];
        try {
          if (params === "deny") throw new EvaluationError("failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
          for (const param of params) {
            const base: AdmissionActivation = {
              object: req.operation === "DELETE" ? null : req.obj,
              oldObject: req.operation === "CREATE" ? null : req.old,
              request: requestVariable(a, req.ctx.user, req.ctx.dryRun, req.def.kind, ""),
              params: param,
              namespaceObject: ns?.object ?? null,
              authorizer: authz.variable(a),
            };
            const result = await authz.run(() => evaluatePolicy(policy, base));
            decisions.push(...result.failed);
            if (req.ctx.scope) Object.assign(req.ctx.scope.auditAnnotations, result.audit);
          }
        } catch (err) {
          if (!(err instanceof EvaluationError || err instanceof CelError || err instanceof CostLimitError)) throw err;
          if (ignore) continue;
          decisions.push({ message: err.message, reason: "Invalid", index: -1 });
        }
        for (const d of decisions) {
          if (actions.includes("Warn")) req.ctx.scope?.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${d.message}`);
          if (actions.includes("Audit")) auditFailures.push({ message: d.message, policy: policyName, binding: bindingName, expressionIndex: d.index, validationActions: actions });
        }
        const denied = actions.includes("Deny") ? decisions[0] : undefined;
        if (denied) {
          if (auditFailures.length && req.ctx.scope) req.ctx.scope.auditAnnotations["validation.policy.admission.k8s.io/validation_failure"] = JSON.stringify(auditFailures);
          const message = `ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}' denied request: ${denied.message}`;
          const base = errors.forbidden({ group: req.def.group, resource: req.def.plural, name: a.name || undefined }, message);
          throw new ApiError(REASON_CODES[denied.reason] ?? 422, denied.reason as StatusReason, base.message, { ...base.details, causes: [{ message }] });
        }
      }
      if (auditFailures.length && req.ctx.scope) req.ctx.scope.auditAnnotations["validation.policy.admission.k8s.io/validation_failure"] = JSON.stringify(auditFailures);
    },
  };
}
