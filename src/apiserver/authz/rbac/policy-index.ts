/**
 * The RBAC policy held in memory and indexed by subject, so that authorizing a request reads no
 * store: Roles, ClusterRoles and their bindings are kept by informers (upstream's RBAC authorizer
 * reads the same from its listers). Bindings are indexed by the user names and group names they
 * name (a ServiceAccount subject as its user name, system:serviceaccount:<ns>:<name>), and the
 * rules a user gets in a namespace are compiled once per policy generation and reused.
 */
import type { KubeObject } from "../../api/types.ts";
import type { UserInfo } from "../../registry/definition.ts";
import type { AnyBinding, ClusterRole, PolicyRule, Role, RoleRef, Subject } from "../../resources/rbac/types.ts";

/** Where a rule came from, for upstream's "allowed by ..." reasons. */
export interface RuleSource {
  bindingKind: "ClusterRoleBinding" | "RoleBinding";
  bindingName: string;
  bindingNamespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

export interface SourcedRule {
  rule: PolicyRule;
  source: RuleSource;
}

export interface ResolvedRules {
  rules: SourcedRule[];
  /** Bindings whose role is missing, as upstream's resolver reports them. */
  errors: string[];
}

const SA_PREFIX = "system:serviceaccount:";
/** Compiled rule lists kept at most; past it the cache starts over (cheap to rebuild). */
const MAX_COMPILED = 20_000;

function subjectKeys(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case "User":
      return `u:${subject.name ?? ""}`;
    case "Group":
      return `g:${subject.name ?? ""}`;
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return ns ? `u:${SA_PREFIX}${ns}:${subject.name ?? ""}` : undefined;
    }
    default:
      return undefined;
  }
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
}

const nsKey = (namespace: string, name: string) => `${namespace}/${name}`;

class SubjectIndex {
  private readonly byKey = new Map<string, Set<string>>();
  private readonly keysOf = new Map<string, string[]>();

  set(id: string, binding: AnyBinding, bindingNamespace: string): void {
    this.delete(id);
    const keys = [...new Set((binding.subjects ?? []).map((s) => (s ? subjectKeys(s, bindingNamespace) : undefined)).filter((k): k is string => k !== undefined))];
    this.keysOf.set(id, keys);
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(id);
    }
  }

  delete(id: string): void {
    for (const k of this.keysOf.get(id) ?? []) {
      const set = this.byKey.get(k);
      set?.delete(id);
      if (set?.size === 0) this.byKey.delete(k);
    }
    this.keysOf.delete(id);
  }

  /** Binding ids naming any of `keys`, each once. */
  lookup(keys: string[]): Set<string> {
    const out = new Set<string>();
    for (const k of keys) for (const id of this.byKey.get(k) ?? []) out.add(id);
    return out;
  }
}

/** Whether a subject names the user (upstream's appliesToUser). */
export function subjectApplies(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return user.groups.includes(subject.name ?? "");
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return ns !== "" && user.username === `${SA_PREFIX}${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

export class PolicyIndex {
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roles = new Map<string, Role>();
  private readonly clusterBindings = new Map<string, AnyBinding>();
  private readonly bindings = new Map<string, AnyBinding>();
  private readonly clusterSubjects = new SubjectIndex();
  /** namespace → subjects of the RoleBindings there */
  private readonly nsSubjects = new Map<string, SubjectIndex>();
  private compiled = new Map<string, ResolvedRules>();
  /** Grows on every change; compiled rule lists of older generations are dropped. */
  generation = 0;
  private readonly listeners = new Set<() => void>();

  /** Called after every change (caches built on the policy drop their entries). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.generation++;
    this.compiled = new Map();
    for (const fn of this.listeners) fn();
  }

  upsert(kind: "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding", obj: KubeObject): void {
    const name = obj.metadata?.name ?? "";
    const ns = obj.metadata?.namespace ?? "";
    switch (kind) {
      case "ClusterRole":
        this.clusterRoles.set(name, obj as unknown as ClusterRole);
        break;
      case "Role":
        this.roles.set(nsKey(ns, name), obj as unknown as Role);
        break;
      case "ClusterRoleBinding":
        this.clusterBindings.set(name, obj as unknown as AnyBinding);
        this.clusterSubjects.set(name, obj as unknown as AnyBinding, "");
        break;
      case "RoleBinding": {
        const id = nsKey(ns, name);
        this.bindings.set(id, obj as unknown as AnyBinding);
        let idx = this.nsSubjects.get(ns);
        if (!idx) this.nsSubjects.set(ns, (idx = new SubjectIndex()));
        idx.set(id, obj as unknown as AnyBinding, ns);
        break;
      }
    }
    this.changed();
  }

  remove(kind: "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding", obj: KubeObject): void {
    const name = obj.metadata?.name ?? "";
    const ns = obj.metadata?.namespace ?? "";
    switch (kind) {
      case "ClusterRole":
        this.clusterRoles.delete(name);
        break;
      case "Role":
        this.roles.delete(nsKey(ns, name));
        break;
      case "ClusterRoleBinding":
        this.clusterBindings.delete(name);
        this.clusterSubjects.delete(name);
        break;
      case "RoleBinding":
        this.bindings.delete(nsKey(ns, name));
        this.nsSubjects.get(ns)?.delete(nsKey(ns, name));
        break;
    }
    this.changed();
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }

  /** Every ClusterRole (the aggregation controller's view). */
  allClusterRoles(): ClusterRole[] {
    return [...this.clusterRoles.values()];
  }

  /** The rules a role reference grants, or the error upstream's GetRoleReferenceRules gives. */
  roleRefRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === "ClusterRole") {
      const role = this.clusterRoles.get(ref.name ?? "");
      return role ? { rules: role.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    if (ref.kind === "Role") {
      const role = this.roles.get(nsKey(bindingNamespace, ref.name ?? ""));
      return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    return { error: `unsupported role reference kind: "${ref.kind}"` };
  }

  /**
   * What `user` may do in `namespace` ("" for cluster-wide only): the rules of the ClusterRoleBindings
   * naming the user, then of the RoleBindings in the namespace (upstream's VisitRulesFor order).
   */
  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const key = `${namespace}\n${user.username}\n${user.groups.join("\n")}`;
    const hit = this.compiled.get(key);
    if (hit) return hit;
    const resolved = this.resolve(user, namespace);
    if (this.compiled.size >= MAX_COMPILED) this.compiled = new Map();
    this.compiled.set(key, resolved);
    return resolved;
  }

  private resolve(user: UserInfo, namespace: string): ResolvedRules {
    const out: ResolvedRules = { rules: [], errors: [] };
    const keys = userKeys(user);
    const add = (binding: AnyBinding, kind: RuleSource["bindingKind"], bindingNamespace: string) => {
      const subject = (binding.subjects ?? []).find((s) => s && subjectApplies(s, user, bindingNamespace));
      if (!subject) return;
      const ref = binding.roleRef ?? {};
      const found = this.roleRefRules(ref, bindingNamespace);
      if ("error" in found) {
        out.errors.push(found.error);
        return;
      }
      const source: RuleSource = { bindingKind: kind, bindingName: binding.metadata?.name ?? "", bindingNamespace, roleRef: ref, subject };
      for (const rule of found.rules) if (rule) out.rules.push({ rule, source });
    };
    for (const id of this.clusterSubjects.lookup(keys)) {
      const b = this.clusterBindings.get(id);
      if (b) add(b, "ClusterRoleBinding", "");
    }
    if (namespace) {
      for (const id of this.nsSubjects.get(namespace)?.lookup(keys) ?? []) {
        const b = this.bindings.get(id);
        if (b) add(b, "RoleBinding", namespace);
      }
    }
    return out;
  }
}

/** upstream's describer of a rule source: `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`. */
export function describeSource(s: RuleSource): string {
  const subject =
    s.subject.kind === "ServiceAccount"
      ? `ServiceAccount ${JSON.stringify(`${s.subject.name}/${s.subject.namespace || s.bindingNamespace}`)}`
      : `${s.subject.kind} ${JSON.stringify(s.subject.name ?? "")}`;
  const binding = s.bindingKind === "RoleBinding" ? `${s.bindingName}/${s.bindingNamespace}` : s.bindingName;
  return `${s.bindingKind} ${JSON.stringify(binding)} of ${s.roleRef.kind} ${JSON.stringify(s.roleRef.name ?? "")} to ${subject}`;
}
