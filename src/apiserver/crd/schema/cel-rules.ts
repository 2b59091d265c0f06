/**
 * x-kubernetes-validations: rules are compiled once per schema node and evaluated against
 * custom objects (upstream's cel.Validator). `self` is the node's value, `oldSelf` the
 * correlated old value on updates; rules using oldSelf (transition rules) run only when there is
 * one, unless optionalOldSelf makes oldSelf an optional. Each rule may cost at most 1,000,000
 * units and all rules of one object together 10,000,000, as in Kubernetes.
 */
import type { FieldError } from "../../api/errors.ts";
import { field } from "../../validation/field.ts";
import { Activation, CelError, compileExpression, CostLimitError, declType, newSelfTypeName, OptionalVal, T, toVal, type CelType, type Program, type Val } from "./cel/index.ts";
import { withTypeAndObjectMeta } from "./cel/decl.ts";
import { escapeName } from "./cel/decl.ts";
import type { Correlation } from "./correlation.ts";
import { MapList } from "./correlation.ts";
import { validFieldPath } from "./rule-field-path.ts";
import type { Structural } from "./structural.ts";
import { isObject, type ValidationRule } from "./types.ts";

/** celconfig.PerCallLimit and RuntimeCELCostBudget. */
export const PER_CALL_LIMIT = 1_000_000;
export const RUNTIME_COST_BUDGET = 10_000_000;
const MAX_MESSAGE_BYTES = 5 * 1024;

export interface CompiledRule {
  rule: ValidationRule;
  program?: Program;
  /** Why the rule did not compile ("compilation failed: ..."). */
  error?: string;
  usesOldSelf: boolean;
  optionalOldSelf: boolean;
  message?: Program;
  messageError?: string;
  /** The rule's fieldPath as a field path suffix ("spec.replicas", "labels[a]"). */
  fieldPath?: string;
  /** Static cost estimates of the rule and its messageExpression (0 when they did not compile). */
  maxCost: number;
  messageMaxCost: number;
}

/** Compiles the rules of one node whose CEL type is `self`. */
export function compileRules(rules: ValidationRule[], self: CelType, node: Structural): CompiledRule[] {
  return rules.map((rule) => {
    const optionalOldSelf = rule.optionalOldSelf === true;
    const vars = new Map<string, CelType>([
      ["self", self],
      ["oldSelf", optionalOldSelf ? T.optional(self) : self],
    ]);
    const out: CompiledRule = { rule, usesOldSelf: false, optionalOldSelf, maxCost: 0, messageMaxCost: 0 };
    const source = typeof rule.rule === "string" ? rule.rule : "";
    if (source.trim() === "") return out;
    const c = compileExpression(source, vars);
    if (!c.ok) {
      out.error = `compilation failed: ${c.issues}`;
      return out;
    }
    if (c.type.kind !== "bool") {
      out.error = "cel expression must evaluate to a bool";
      return out;
    }
    out.usesOldSelf = c.uses.has("oldSelf");
    out.program = c.program;
    out.maxCost = c.cost;
    if (typeof rule.messageExpression === "string" && rule.messageExpression !== "") {
      const m = compileExpression(rule.messageExpression, vars);
      if (!m.ok) out.messageError = `messageExpression compilation failed: ${m.issues}`;
      else if (m.type.kind !== "string") out.messageError = "messageExpression must evaluate to a string";
      else {
        out.message = m.program;
        out.messageMaxCost = m.cost;
      }
    }
    if (typeof rule.fieldPath === "string" && rule.fieldPath !== "") {
      const fp = validFieldPath(rule.fieldPath, node);
      if (fp.ok) out.fieldPath = fp.path;
    }
    return out;
  });
}

/** The rules of a schema tree, arranged like the schema (only branches that have rules). */
export interface RuleNode {
  schema: Structural;
  isResourceRoot: boolean;
  rules: CompiledRule[];
  /** Set when the node has rules but no CEL type (upstream's "rule compiler initialization error"). */
  initError?: string;
  items?: RuleNode;
  properties?: Map<string, RuleNode>;
  additionalProperties?: RuleNode;
}

function hasRules(s: Structural | undefined): boolean {
  if (!s) return false;
  if (s.validations.length) return true;
  if (hasRules(s.items) || hasRules(s.additionalProperties?.schema)) return true;
  for (const p of s.properties?.values() ?? []) if (hasRules(p)) return true;
  return false;
}

export function buildRuleTree(s: Structural, isResourceRoot: boolean): RuleNode | undefined {
  if (!hasRules(s)) return undefined;
  return build(s, isResourceRoot, declType(s, isResourceRoot, newSelfTypeName()));
}

function build(s: Structural, isResourceRoot: boolean, type: CelType | undefined): RuleNode | undefined {
  if (!hasRules(s)) return undefined;
  const node: RuleNode = { schema: s, isResourceRoot, rules: [] };
  if (s.validations.length) {
    if (!type) node.initError = "failed to convert to declType for CEL validation rules";
    else node.rules = compileRules(s.validations, type, s);
  }
  const elem = type?.kind === "list" ? type.elem : type?.kind === "map" ? type.value : undefined;
  if (s.items) node.items = build(s.items, s.items.embeddedResource, elem ?? declType(s.items, s.items.embeddedResource, newSelfTypeName()));
  const ap = s.additionalProperties?.schema;
  if (ap) node.additionalProperties = build(ap, ap.embeddedResource, elem ?? declType(ap, ap.embeddedResource, newSelfTypeName()));
  for (const [k, p] of s.properties ?? []) {
    const escaped = escapeName(k);
    let t: CelType | undefined;
    if (escaped !== undefined) {
      t = type?.kind === "object" ? type.fields.get(escaped) : undefined;
      if (!t) continue;
    } else t = declType(p, p.embeddedResource, newSelfTypeName());
    if (!t) continue;
    const child = build(p, p.embeddedResource, t);
    if (child) (node.properties ??= new Map()).set(k, child);
  }
  return node;
}

/** Where a node sits: field.Path text, or undefined at the object's root (printed "<nil>"). */
type Path = string | undefined;

const childPath = (p: Path, name: string): string => (p ? `${p}.${name}` : name);
const keyPath = (p: Path, k: string): string => `${p ?? ""}[${k}]`;
const indexPath = (p: Path, i: number): string => `${p ?? ""}[${i}]`;

/** Ratcheting state: errors of rules without oldSelf are dropped where nothing changed. */
interface Ratchet {
  current?: Correlation;
  parent?: Correlation;
}

function ratchetKey(r: Ratchet | undefined, k: string): Ratchet | undefined {
  if (!r) return undefined;
  if (!r.current) return r;
  if (!r.parent && (k === "apiVersion" || k === "kind")) return {};
  return { current: r.current.key(k), parent: r.current };
}

function ratchetIndex(r: Ratchet | undefined, i: number): Ratchet | undefined {
  if (!r) return undefined;
  if (!r.current) return r;
  return { current: r.current.index(i), parent: r.current };
}

function shouldRatchet(r: Ratchet | undefined): boolean {
  if (!r) return false;
  if (r.current) return r.current.deepEqual();
  return r.parent?.deepEqual() ?? false;
}

export interface RuleRun {
  errors: FieldError[];
  /** Remaining budget; negative once evaluation stopped. */
  budget: number;
}

/** Evaluates every rule of the tree against `obj` (and `old` for transition rules). */
export function runRules(tree: RuleNode, obj: unknown, old: unknown, corr: Correlation | undefined, path?: string): FieldError[] {
  const run: RuleRun = { errors: [], budget: RUNTIME_COST_BUDGET };
  validateNode(tree, path, obj, old, corr ? { current: corr } : undefined, run);
  return run.errors;
}

function validateNode(n: RuleNode, path: Path, obj: unknown, old: unknown, ratchet: Ratchet | undefined, run: RuleRun): void {
  if (obj === null || obj === undefined) return;
  validateExpressions(n, path, obj, old, ratchet, run);
  if (run.budget < 0) return;
  if (Array.isArray(obj)) {
    if (!n.items) return;
    const oldItems = MapList.of(n.schema, old);
    for (let i = 0; i < obj.length; i++) {
      validateNode(n.items, indexPath(path, i), obj[i], oldItems?.get(obj[i]), ratchetIndex(ratchet, i), run);
      if (run.budget < 0) return;
    }
  } else if (isObject(obj)) {
    const oldMap = isObject(old) ? old : undefined;
    if (n.additionalProperties) {
      for (const k of Object.keys(obj)) {
        validateNode(n.additionalProperties, keyPath(path, k), obj[k], oldMap?.[k], ratchetKey(ratchet, k), run);
        if (run.budget < 0) return;
      }
    }
    if (n.properties) {
      for (const k of Object.keys(obj)) {
        const sub = n.properties.get(k);
        if (!sub) continue;
        validateNode(sub, childPath(path, k), obj[k], oldMap && Object.hasOwn(oldMap, k) ? oldMap[k] : undefined, ratchetKey(ratchet, k), run);
        if (run.budget < 0) return;
      }
    }
  }
}

function ruleErrorString(rule: ValidationRule): string {
  const m = typeof rule.message === "string" ? rule.message.trim() : "";
  return m || (typeof rule.rule === "string" ? rule.rule.trim() : "");
}

function defaultMessage(rule: ValidationRule): string {
  const m = typeof rule.message === "string" ? rule.message.trim() : "";
  return m || `failed rule: ${ruleErrorString(rule)}`;
}

function errorForReason(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case "FieldValueForbidden":
      return field.forbidden(path, detail);
    case "FieldValueRequired":
      return field.required(path, detail);
    case "FieldValueDuplicate":
      return field.duplicate(path, type);
    default:
      return field.invalid(path, type, detail);
  }
}

function validateExpressions(n: RuleNode, path: Path, obj: unknown, old: unknown, ratchet: Ratchet | undefined, run: RuleRun): void {
  const here = path ?? "<nil>";
  const type = n.schema.type;
  if (n.initError) {
    run.errors.push(field.invalid(here, type, `rule compiler initialization error: ${n.initError}`));
    return;
  }
  if (n.rules.length === 0) return;
  if (run.budget <= 0) {
    run.errors.push(field.invalid(here, type, "validation failed due to running out of cost budget, no further validation rules will be run"));
    run.budget = -1;
    return;
  }
  const schema = n.isResourceRoot ? withTypeAndObjectMeta(n.schema) : n.schema;
  const hasOld = old !== null && old !== undefined;
  // Like upstream's activation factories: oldSelf is bound only if some rule of the node reads it.
  const nodeUsesOldSelf = n.rules.some((c) => c.usesOldSelf);
  let self: Val | undefined;
  let oldSelf: Val | undefined;
  for (const c of n.rules) {
    if (c.error) {
      run.errors.push(field.invalid(here, type, `rule compile error: ${c.error}`));
      continue;
    }
    if (!c.program) continue;
    if (c.usesOldSelf && !hasOld && !c.optionalOldSelf) continue;
    const globals: Record<string, Val | undefined> = {};
    const a = new Activation(Math.min(PER_CALL_LIMIT, run.budget), globals);
    let result: Val;
    try {
      // Data that does not fit the schema fails the rule that reads it, as upstream's error values do.
      globals.self = self ??= toVal(obj, schema);
      if (c.optionalOldSelf) globals.oldSelf = hasOld ? new OptionalVal((oldSelf ??= toVal(old, schema))) : OptionalVal.NONE;
      else if (nodeUsesOldSelf && hasOld) globals.oldSelf = oldSelf ??= toVal(old, schema);
      a.bindAll(globals);
      result = c.program(a);
    } catch (e) {
      if (e instanceof CostLimitError) {
        if (a.cost > run.budget) run.errors.push(field.invalid(here, type, "validation failed due to running out of cost budget, no further validation rules will be run"));
        else run.errors.push(field.invalid(here, type, `'${e.message}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(c.rule)}`));
        run.budget = -1;
        return;
      }
      if (!(e instanceof CelError)) throw e;
      run.budget -= a.cost;
      if (e.message.startsWith("no such overload")) {
        run.errors.push(field.invalid(here, type, `'${e.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(c.rule)}`));
      } else run.errors.push(field.invalid(here, type, `${e.message} evaluating rule: ${ruleErrorString(c.rule)}`));
      continue;
    }
    run.budget -= a.cost;
    if (result === true) continue;
    const at = c.fieldPath ? childPath(path, c.fieldPath) : here;
    const add = (e: FieldError) => {
      if (!c.usesOldSelf && shouldRatchet(ratchet)) return;
      run.errors.push(e);
    };
    let detail = defaultMessage(c.rule);
    if (c.message) {
      const m = evalMessage(c, globals, run);
      if (m.stop) {
        add(field.invalid(at, type, m.stop));
        run.budget = -1;
        return;
      }
      if (m.text !== undefined) detail = m.text;
    }
    add(errorForReason(at, type, detail, typeof c.rule.reason === "string" ? c.rule.reason : undefined));
  }
}

function evalMessage(c: CompiledRule, globals: Record<string, Val | undefined>, run: RuleRun): { text?: string; stop?: string } {
  const a = new Activation(Math.min(PER_CALL_LIMIT, run.budget), globals);
  let v: Val;
  try {
    v = c.message!(a);
  } catch (e) {
    if (e instanceof CostLimitError) {
      if (a.cost > run.budget) return { stop: "messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run" };
      return { stop: `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(c.rule.messageExpression)}` };
    }
    if (!(e instanceof CelError)) throw e;
    run.budget -= a.cost;
    return {};
  }
  run.budget -= a.cost;
  if (typeof v !== "string") return {};
  const text = v.trim();
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES || text.includes("\n") || text === "") return {};
  return { text };
}
