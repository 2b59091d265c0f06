/**
 * Authorization for the API server: the chain --authorization-mode builds (Node, RBAC by default;
 * system:masters always allowed), fed by informers so no request reads the store, the RBAC write
 * checks (escalate, bind), NodeRestriction admission and impersonation.
 */
import type { KubeObject } from "../api/types.ts";
import type { Client, ResourceRef } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Authorizer } from "../http/authz.ts";
import { Informer } from "../../client/index.ts";
import { nodeRules } from "../resources/rbac/index.ts";
import { alwaysAllow, alwaysDeny, AuthorizerChain, type AuthorizationMode, type ChainLink } from "./chain.ts";
import { NodeAuthorizer } from "./node/authorizer.ts";
import { NodeGraph } from "./node/graph.ts";
import { RbacAuthorizer } from "./rbac/authorizer.ts";
import { PolicyIndex } from "./rbac/policy-index.ts";

export { AUTHORIZATION_MODES, AuthorizerChain, PRIVILEGED_GROUP, parseAuthorizationModes, type AuthorizationMode } from "./chain.ts";
export { NodeAuthorizer, NODES_GROUP, NODE_USER_PREFIX, nodeIdentity } from "./node/authorizer.ts";
export { NodeGraph } from "./node/graph.ts";
export { checkNodeTokenRequest, forbiddenNodeLabels, NODE_RESTRICTION, nodeRestriction } from "./node/restriction.ts";
export { RbacAuthorizer } from "./rbac/authorizer.ts";
export { PolicyIndex } from "./rbac/policy-index.ts";
export { escalationError, withEscalationChecks } from "./rbac/escalation.ts";
export { compactString, ruleAllows, uncoveredRules } from "./rbac/rules.ts";
export { impersonate, IMPERSONATE_HEADERS } from "./impersonation.ts";
export { CachingAuthorizer } from "./cache.ts";

export const DEFAULT_AUTHORIZATION_MODES: AuthorizationMode[] = ["Node", "RBAC"];

const RBAC = "rbac.authorization.k8s.io";
const ref = (group: string, resource: string): ResourceRef => ({ group, version: "v1", resource });

/** Informer caches keep no managedFields: nothing here reads them, and they are most of an object's bytes. */
function slim(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export interface Authorization {
  readonly authorizer: Authorizer;
  readonly policy: PolicyIndex;
  readonly graph: NodeGraph;
  readonly modes: AuthorizationMode[];
  /** Starts the informers (over a privileged in-process client); resolves once their first lists are in. */
  start(client: Client, log: Logger): Promise<void>;
  /** The cache of a core resource these informers keep ("pods" with the Node mode), for other readers. */
  cached(resource: string): Informer | undefined;
  stop(): void;
}

export function createAuthorization(modes: AuthorizationMode[] = DEFAULT_AUTHORIZATION_MODES): Authorization {
  const policy = new PolicyIndex();
  const graph = new NodeGraph();
  const links: ChainLink[] = modes.map((m) => {
    switch (m) {
      case "AlwaysAllow":
        return alwaysAllow;
      case "AlwaysDeny":
        return alwaysDeny;
      case "Node":
        return new NodeAuthorizer(graph, nodeRules());
      case "RBAC":
        return new RbacAuthorizer(policy);
    }
  });
  const informers: Informer[] = [];
  const byResource = new Map<string, Informer>();
  return {
    authorizer: new AuthorizerChain(links),
    policy,
    graph,
    modes,
    async start(client, log) {
      const watch = (r: ResourceRef, set: (o: KubeObject) => void, del: (o: KubeObject) => void) => {
        const inf = new Informer(client, r, { transform: slim, onError: (err) => log.v(2).info("authorization informer failed, retrying", { resource: r.resource, err: String(err) }) });
        inf.on({ add: set, update: (_old, o) => set(o), delete: del });
        informers.push(inf);
        if (r.group === "") byResource.set(r.resource, inf);
        return inf.start();
      };
      const rbacKinds = [
        ["roles", "Role"],
        ["clusterroles", "ClusterRole"],
        ["rolebindings", "RoleBinding"],
        ["clusterrolebindings", "ClusterRoleBinding"],
      ] as const;
      const started: Promise<void>[] = [];
      if (modes.includes("RBAC")) {
        for (const [plural, kind] of rbacKinds) started.push(watch(ref(RBAC, plural), (o) => policy.upsert(kind, o), (o) => policy.remove(kind, o)));
      }
      if (modes.includes("Node")) {
        started.push(watch(ref("", "pods"), (o) => graph.setPod(o), (o) => graph.deletePod(o)));
        started.push(watch(ref("", "persistentvolumes"), (o) => graph.setPv(o), (o) => graph.deletePv(o)));
        started.push(watch(ref("storage.k8s.io", "volumeattachments"), (o) => graph.setAttachment(o), (o) => graph.deleteAttachment(o)));
      }
      await Promise.all(started);
    },
    cached: (resource) => byResource.get(resource),
    stop() {
      for (const i of informers) i.stop();
    },
  };
}
