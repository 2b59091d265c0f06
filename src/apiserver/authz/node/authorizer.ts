/**
 * The Node authorizer (upstream's plugin/pkg/auth/authorizer/node): requests from nodes
 * (system:node:<name> in system:nodes) to Secrets, ConfigMaps, claims, volumes, service account
 * tokens and VolumeAttachments are allowed only for objects the node's pods use (the graph);
 * node Leases only in kube-node-lease under the node's own name; everything else a kubelet needs
 * by the system:node rules. NodeRestriction admission narrows writes to the node's own objects.
 * Other users get no opinion.
 */
import type { UserInfo } from "../../registry/definition.ts";
import type { PolicyRule } from "../../resources/rbac/types.ts";
import type { Attributes, Decision } from "../../http/authz.ts";
import type { ChainLink } from "../chain.ts";
import type { NodeGraph, VertexType } from "./graph.ts";
import { ruleAllows } from "../rbac/rules.ts";

export const NODES_GROUP = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";
const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** The node a user is (upstream's NodeIdentity): name "" for a system:nodes user without a parsable name. */
export function nodeIdentity(user: UserInfo): { isNode: false } | { isNode: true; nodeName: string } {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return { isNode: false };
  return { isNode: true, nodeName: user.username.slice(NODE_USER_PREFIX.length) };
}

const noOpinion = (reason = ""): Decision => ({ allowed: false, reason });
const ALLOW: Decision = { allowed: true };

export class NodeAuthorizer implements ChainLink {
  constructor(
    private readonly graph: NodeGraph,
    private readonly nodeRules: PolicyRule[],
  ) {}

  async authorize(attrs: Attributes): Promise<Decision> {
    return this.decide(attrs);
  }

  decide(attrs: Attributes): Decision {
    const id = nodeIdentity(attrs.user);
    if (!id.isNode) return noOpinion();
    if (!id.nodeName) return noOpinion(`unknown node for user ${JSON.stringify(attrs.user.username)}`);
    const node = id.nodeName;
    if (attrs.resource !== undefined) {
      const gr = `${attrs.group ?? ""}/${attrs.resource}`;
      switch (gr) {
        case "/secrets":
          return this.readNamespaced(node, "secret", attrs);
        case "/configmaps":
          return this.readNamespaced(node, "configmap", attrs);
        case "/persistentvolumeclaims":
          return attrs.subresource === "status" ? this.statusUpdate(node, "pvc", attrs) : this.getOnly(node, "pvc", attrs);
        case "/persistentvolumes":
          return this.getOnly(node, "pv", attrs);
        case "storage.k8s.io/volumeattachments":
          return this.getOnly(node, "volumeattachment", attrs);
        case "/serviceaccounts":
          return this.createToken(node, attrs);
        case "coordination.k8s.io/leases":
          return this.lease(node, attrs);
        case "storage.k8s.io/csinodes":
          return this.csiNode(node, attrs);
      }
    }
    return this.nodeRules.some((r) => ruleAllows(attrs, r)) ? ALLOW : noOpinion();
  }

  private path(node: string, type: VertexType, attrs: Attributes): Decision {
    if (!attrs.name) return noOpinion("No Object name found");
    return this.graph.hasPath(node, type, attrs.namespace ?? "", attrs.name) ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private readNamespaced(node: string, type: VertexType, attrs: Attributes): Decision {
    if (!["get", "list", "watch"].includes(attrs.verb)) return noOpinion("can only read resources of this type");
    if (attrs.subresource) return noOpinion("cannot read subresource");
    if (!attrs.namespace) return noOpinion("can only read namespaced object of this type");
    return this.path(node, type, attrs);
  }

  private getOnly(node: string, type: VertexType, attrs: Attributes): Decision {
    if (attrs.verb !== "get") return noOpinion("can only get individual resources of this type");
    if (attrs.subresource) return noOpinion("cannot get subresource");
    return this.path(node, type, attrs);
  }

  private statusUpdate(node: string, type: VertexType, attrs: Attributes): Decision {
    if (attrs.verb !== "update" && attrs.verb !== "patch") return noOpinion("can only get/update/patch this type");
    if (attrs.subresource !== "status") return noOpinion("can only update status subresource");
    return this.path(node, type, attrs);
  }

  private createToken(node: string, attrs: Attributes): Decision {
    if (attrs.verb !== "create" || !attrs.name) return noOpinion("can only create tokens for individual service accounts");
    if (attrs.subresource !== "token") return noOpinion("can only create token subresource of serviceaccount");
    return this.path(node, "serviceaccount", attrs);
  }

  private lease(node: string, attrs: Attributes): Decision {
    if (!["get", "create", "update", "patch", "delete"].includes(attrs.verb)) return noOpinion("can only get, create, update, patch, or delete a node lease");
    if (attrs.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    // The name of a create is in the body: NodeRestriction checks it.
    if (attrs.verb !== "create" && attrs.name !== node) return noOpinion("can only access node lease with the same name as the requesting node");
    return ALLOW;
  }

  private csiNode(node: string, attrs: Attributes): Decision {
    if (!["get", "create", "update", "patch", "delete"].includes(attrs.verb)) return noOpinion("can only get, create, update, patch, or delete a CSINode");
    if (attrs.subresource) return noOpinion("cannot authorize CSINode subresources");
    if (attrs.verb !== "create" && attrs.name !== node) return noOpinion("can only access CSINode with the same name as the requesting node");
    return ALLOW;
  }

  /** Nodes' permissions are not fully enumerable (upstream answers the same). */
  async rulesFor(user: UserInfo): Promise<{ resourceRules: []; nonResourceRules: []; incomplete: boolean; evaluationError?: string }> {
    if (nodeIdentity(user).isNode) return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: "node authorizer does not support user rule resolution" };
    return { resourceRules: [], nonResourceRules: [], incomplete: false };
  }
}
