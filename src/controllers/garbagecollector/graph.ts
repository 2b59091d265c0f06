/**
 * The garbage collector's dependency graph (upstream's uidToNode): one node per object uid, with
 * the owner references the object carries and the nodes that name it as an owner. A node the
 * informers have not shown yet (an owner only known from references) is "virtual" until it is
 * observed or verified absent.
 */
import { blocksOwner, type Identity, type OwnerReference } from "./identity.ts";

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  owners: OwnerReference[] = [];
  /** Known only from owner references, not (yet) from an informer. */
  virtual: boolean;
  beingDeleted = false;
  /** Being deleted with the foregroundDeletion finalizer: waits for its blocking dependents. */
  deletingDependents = false;

  constructor(
    public identity: Identity,
    opts: { virtual?: boolean } = {},
  ) {
    this.virtual = opts.virtual ?? false;
  }

  get uid(): string {
    return this.identity.uid;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion: a foreground deletion waits for them. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((dep) => dep.owners.some((r) => r.uid === this.uid && blocksOwner(r)));
  }

  /** A copy under another identity, keeping the dependents (upstream replaces nodes rather than edit identities in place). */
  withIdentity(identity: Identity): GraphNode {
    const copy = new GraphNode(identity, { virtual: this.virtual });
    for (const d of this.dependents) copy.dependents.add(d);
    copy.owners = this.owners;
    copy.beingDeleted = this.beingDeleted;
    copy.deletingDependents = this.deletingDependents;
    return copy;
  }
}

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  set(node: GraphNode): void {
    this.nodes.set(node.uid, node);
  }

  delete(uid: string): void {
    this.nodes.delete(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  all(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }
}
