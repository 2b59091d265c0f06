/**
 * Keeps the dependency graph in step with what the informers report (upstream's GraphBuilder),
 * and hands the garbage collector's workers what needs a decision: dependents of an owner that
 * went away, owners starting a foreground or orphaning deletion, owners only known from
 * references (to check they exist). Every change is applied synchronously, in the order the
 * informers deliver it; decisions that need the API server happen in the workers.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Logger } from "../../log/index.ts";
import type { AbsentOwners } from "./absent-owners.ts";
import { Graph, GraphNode } from "./graph.ts";
import {
  blocksOwner,
  describe,
  FOREGROUND_FINALIZER,
  hasFinalizer,
  type Identity,
  identityLess,
  identityOf,
  identityOfReference,
  isBeingDeleted,
  ORPHAN_FINALIZER,
  type OwnerReference,
  referenceMatches,
  referencesDiff,
  sameIdentity,
} from "./identity.ts";

/** Where the builder sends work: node uids for the two worker queues. */
export interface GcQueues {
  attemptToDelete(uid: string): void;
  /** Again after a delay (a virtual node re-identified, to be checked once more). */
  attemptToDeleteLater(uid: string): void;
  attemptToOrphan(uid: string): void;
}

export interface ObservedChange {
  type: "add" | "update" | "delete";
  apiVersion: string;
  kind: string;
  obj: KubeObject;
  /** The previous state, for updates. */
  old?: KubeObject;
}

/** A deletion is starting, or the finalizer was just added to a deletion under way. */
function startsWaitingWith(old: KubeObject | undefined, obj: KubeObject, finalizer: string): boolean {
  if (!isBeingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  return !old || !isBeingDeleted(old) || !hasFinalizer(old, finalizer);
}

/**
 * Splits dependents into those whose reference to `owner` matches its coordinates and those
 * whose reference (or namespace) disagrees. A dependent can be in both.
 */
export function partitionDependents(dependents: Iterable<GraphNode>, owner: Identity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  const ownerNamespaced = owner.namespace !== "";
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (ownerNamespaced && owner.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (referenceMatches(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}

/**
 * Another identity the dependents give the same uid, to check next once `absent` was verified
 * gone: the first after it in upstream's order, else the first overall.
 */
export function alternateOwnerIdentity(dependents: GraphNode[], absent: Identity): Identity | undefined {
  const clusterScoped = absent.namespace === "";
  const seen = new Set<string>([JSON.stringify(absent)]);
  let first: Identity | undefined;
  let following: Identity | undefined;
  for (const dep of dependents) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      if (referenceMatches(ref, absent) && (clusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const alt = identityOfReference(ref, dep.identity.namespace);
      // This apiVersion/kind is known to be cluster-scoped, so the alternate is too.
      if (clusterScoped && alt.apiVersion === absent.apiVersion && alt.kind === absent.kind) alt.namespace = "";
      const key = JSON.stringify(alt);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!first || identityLess(alt, first)) first = alt;
      if (identityLess(absent, alt) && (!following || identityLess(alt, following))) following = alt;
    }
  }
  return following ?? first;
}

export class GraphBuilder {
  constructor(
    readonly graph: Graph,
    private readonly queues: GcQueues,
    private readonly absentOwners: AbsentOwners,
    private readonly log?: Logger,
  ) {}

  /** Applies one informer event. */
  observe(change: ObservedChange): void {
    const { obj } = change;
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const observed = identityOf(obj, change.apiVersion, change.kind);
    let existing = this.graph.get(uid);
    if (existing?.virtual) existing = this.markObserved(existing, observed);

    if (change.type === "delete") {
      if (existing) this.removeAndNotify(existing, observed);
      return;
    }
    const owners = obj.metadata?.ownerReferences ?? [];
    if (!existing) {
      const node = new GraphNode(observed);
      node.owners = owners;
      node.beingDeleted = isBeingDeleted(obj);
      node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FOREGROUND_FINALIZER);
      this.graph.set(node);
      this.addDependentToOwners(node, owners);
      this.processTransitions(change.old, obj, node);
      return;
    }
    const { added, removed, changed } = referencesDiff(existing.owners, owners);
    if (added.length > 0 || removed.length > 0 || changed.length > 0) {
      // An owner waiting for its blocking dependents may now be free to go.
      this.queueUnblockedOwners(removed, changed);
      existing.owners = owners;
      this.addDependentToOwners(existing, added);
      this.removeDependentFromOwners(existing, removed);
    }
    if (isBeingDeleted(obj)) existing.beingDeleted = true;
    this.processTransitions(change.old, obj, existing);
  }

  /**
   * The workers found `deleted` absent at the API server (404 or another uid): drop its node and
   * let its dependents be reconsidered, unless dependents name that uid with other coordinates,
   * which are then checked in turn.
   */
  virtualDelete(deleted: Identity): void {
    const existing = this.graph.get(deleted.uid);
    if (!existing) return;
    let remove = true;
    if (existing.virtual) {
      const { matching, nonmatching } = partitionDependents(existing.dependents, deleted);
      if (nonmatching.length > 0) {
        remove = false;
        this.verifiedAbsent(deleted, matching);
        if (sameIdentity(existing.identity, deleted)) {
          const alt = alternateOwnerIdentity(nonmatching, deleted);
          if (alt) {
            this.graph.set(existing.withIdentity(alt));
            this.queues.attemptToDeleteLater(deleted.uid);
          }
        }
      }
    } else if (!sameIdentity(existing.identity, deleted)) {
      // A real object is known under this uid; only references with other coordinates are dangling.
      remove = false;
      this.verifiedAbsent(deleted, partitionDependents(existing.dependents, deleted).matching);
    }
    if (remove) this.removeAndNotify(existing, deleted);
  }

  private verifiedAbsent(id: Identity, matching: GraphNode[]): void {
    if (matching.length === 0) return;
    this.absentOwners.add(id);
    for (const dep of matching) this.queues.attemptToDelete(dep.uid);
  }

  /** A virtual node seen by an informer: it takes the observed identity; dependents that named it otherwise are rechecked. */
  private markObserved(existing: GraphNode, observed: Identity): GraphNode {
    let node = existing;
    if (!sameIdentity(observed, existing.identity)) {
      for (const dep of partitionDependents(existing.dependents, observed).nonmatching) {
        if (observed.namespace && dep.identity.namespace !== observed.namespace) {
          this.log?.v(2).info("dependent references an owner in another namespace", { dependent: describe(dep.identity), owner: describe(observed) });
        }
        this.queues.attemptToDelete(dep.uid);
      }
      node = existing.withIdentity(observed);
      this.graph.set(node);
    }
    node.virtual = false;
    return node;
  }

  private removeAndNotify(node: GraphNode, as: Identity): void {
    this.graph.delete(node.uid);
    this.removeDependentFromOwners(node, node.owners);
    if (node.dependents.size > 0) this.absentOwners.add(as);
    for (const dep of node.dependents) this.queues.attemptToDelete(dep.uid);
    // An owner deleting in the foreground waits for this one; it may be done now.
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      if (owner?.deletingDependents) this.queues.attemptToDelete(owner.uid);
    }
  }

  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    // Set when a reference disagrees with what is known of its owner: the dependent is checked.
    let suspicious = false;
    for (const ref of owners) {
      let owner = this.graph.get(ref.uid);
      if (!owner) {
        // Known only from this reference: a virtual node, checked against the API server.
        owner = new GraphNode(identityOfReference(ref, node.identity.namespace), { virtual: true });
        this.graph.set(owner);
        owner.dependents.add(node);
        this.queues.attemptToDelete(owner.uid);
        continue;
      }
      owner.dependents.add(node);
      if (suspicious) continue;
      const ownerNamespace = owner.identity.namespace;
      if (ownerNamespace !== "" && ownerNamespace !== node.identity.namespace) {
        if (!owner.virtual) this.log?.v(2).info("dependent references an owner in another namespace", { dependent: describe(node.identity), owner: describe(owner.identity) });
        suspicious = true;
      } else if (!referenceMatches(ref, owner.identity)) suspicious = true;
      else if (ownerNamespace === "" && node.identity.namespace !== "" && owner.virtual) suspicious = true;
    }
    if (suspicious) this.queues.attemptToDelete(node.uid);
  }

  private removeDependentFromOwners(node: GraphNode, owners: OwnerReference[]): void {
    for (const ref of owners) this.graph.get(ref.uid)?.dependents.delete(node);
  }

  private queueUnblockedOwners(removed: OwnerReference[], changed: Array<{ old: OwnerReference; now: OwnerReference }>): void {
    const unblocked = [...removed.filter(blocksOwner), ...changed.filter((c) => blocksOwner(c.old) && !blocksOwner(c.now)).map((c) => c.now)];
    for (const ref of unblocked) if (this.graph.get(ref.uid)) this.queues.attemptToDelete(ref.uid);
  }

  private processTransitions(old: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    if (startsWaitingWith(old, obj, ORPHAN_FINALIZER)) {
      this.queues.attemptToOrphan(node.uid);
      return;
    }
    if (startsWaitingWith(old, obj, FOREGROUND_FINALIZER)) {
      // Set here too: a node first seen as virtual had no way to know.
      node.deletingDependents = true;
      for (const dep of node.dependents) this.queues.attemptToDelete(dep.uid);
      this.queues.attemptToDelete(node.uid);
    }
  }
}
