/**
 * RBAC end to end: a real kts server with --authorization-mode Node,RBAC and real kubectl 1.32,
 * acting as users with client certificates from the server's client CA, as impersonated users,
 * as a service account token and as a node.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTestServer, type TestServer } from "../../../testing/server.ts";
import { certificateKubeconfig, fetchWithToken, kubectlAs, tokenKubeconfig } from "../../../testing/users.ts";

// Each test drives kubectl several times against a real server: generous on a loaded 2-core machine.
setDefaultTimeout(60_000);

let s: TestServer;
let alice: string;

beforeAll(async () => {
  s = await startTestServer(["--kube-apiserver-arg", "authorization-mode=Node,RBAC"]);
  alice = certificateKubeconfig(s, "alice", ["dev"]);
  await s.k("create", "namespace", "team");
  await s.k("-n", "team", "create", "configmap", "settings", "--from-literal=a=b");
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

/** Polls kubectl as `kubeconfig` until it exits 0 (RBAC changes reach the authorizer's cache through a watch). */
async function eventually(kubeconfig: string, args: string[], want = 0): Promise<{ stdout: string; stderr: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await kubectlAs(s, kubeconfig, args);
    if (r.code === want || Date.now() > deadline) return r;
    await Bun.sleep(100);
  }
}

describe("a user with a namespace Role", () => {
  test("may do what the Role allows; anything else gets upstream's Forbidden", async () => {
    await s.k("-n", "team", "create", "role", "cm-reader", "--verb=get,list,watch", "--resource=configmaps");
    await s.k("-n", "team", "create", "rolebinding", "alice-reads", "--role=cm-reader", "--user=alice");
    const listed = await eventually(alice, ["-n", "team", "get", "configmaps", "settings", "-o", "name"]);
    expect(listed.stdout.trim()).toBe("configmap/settings");
    const del = await kubectlAs(s, alice, ["-n", "team", "delete", "configmap", "settings"]);
    expect(del.code).not.toBe(0);
    expect(del.stderr.trim()).toBe('Error from server (Forbidden): configmaps "settings" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "team"');
    const other = await kubectlAs(s, alice, ["-n", "default", "get", "configmaps"]);
    expect(other.stderr.trim()).toBe('Error from server (Forbidden): configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"');
    const nodes = await kubectlAs(s, alice, ["get", "nodes"]);
    expect(nodes.stderr.trim()).toBe('Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  });

  test("kubectl auth can-i, can-i --list and whoami answer from the real authorizer", async () => {
    expect((await kubectlAs(s, alice, ["-n", "team", "auth", "can-i", "list", "configmaps"])).stdout.trim()).toBe("yes");
    const no = await kubectlAs(s, alice, ["-n", "team", "auth", "can-i", "create", "deployments"]);
    expect([no.code, no.stdout.trim()]).toEqual([1, "no"]);
    const list = (await kubectlAs(s, alice, ["-n", "team", "auth", "can-i", "--list"])).stdout;
    expect(list).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(list).toMatch(/^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/m);
    const who = (await kubectlAs(s, alice, ["auth", "whoami", "-o", "jsonpath={.status.userInfo}"])).stdout;
    expect(JSON.parse(who)).toEqual({ username: "alice", groups: ["dev", "system:authenticated"] });
  });
});

test("a ClusterRole labelled aggregate-to-view adds its rules to view, and through it to edit and admin", async () => {
  const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-viewer
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: ["example.com"]
  resources: ["widgets"]
  verbs: ["get", "list", "watch"]
`;
  // The CRD lets kubectl resolve widgets.example.com; RBAC itself does not need it.
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: crd })).code).toBe(0);
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: role });
  expect(r.code).toBe(0);
  const viewHas = async (name: string) => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const rules = JSON.parse(await s.k("get", "clusterrole", name, "-o", "jsonpath={.rules}")) as Array<{ apiGroups?: string[]; resources?: string[] }>;
      if (rules.some((x) => x.apiGroups?.includes("example.com") && x.resources?.includes("widgets"))) return true;
      await Bun.sleep(100);
    }
    return false;
  };
  expect(await viewHas("view")).toBe(true);
  expect(await viewHas("admin")).toBe(true);
  await s.k("-n", "team", "create", "rolebinding", "carol-views", "--clusterrole=view", "--user=carol");
  const carol = certificateKubeconfig(s, "carol");
  expect((await eventually(carol, ["-n", "team", "auth", "can-i", "list", "widgets.example.com"])).stdout.trim()).toBe("yes");
  // view shows no Secrets.
  expect((await kubectlAs(s, carol, ["-n", "team", "auth", "can-i", "get", "secrets"])).stdout.trim()).toBe("no");
});

describe("escalation and bind prevention", () => {
  let dave: string;
  beforeAll(async () => {
    await s.k("-n", "team", "create", "role", "rbac-manager", "--verb=get,list,create,update,delete", "--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io,pods");
    await s.k("-n", "team", "create", "rolebinding", "dave-manages", "--role=rbac-manager", "--user=dave");
    dave = certificateKubeconfig(s, "dave");
    await eventually(dave, ["-n", "team", "get", "roles"]);
  });

  test("a Role with rules the user does not hold is refused, one within them is allowed", async () => {
    const bad = await kubectlAs(s, dave, ["-n", "team", "create", "role", "secret-reader", "--verb=get", "--resource=secrets"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "dave" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    expect(bad.stderr).toContain('{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
    expect((await kubectlAs(s, dave, ["-n", "team", "create", "role", "pod-reader", "--verb=get,list", "--resource=pods"])).code).toBe(0);
  });

  test("binding a role beyond one's rights is refused until `bind` on it is granted; `escalate` lifts the role check", async () => {
    const bad = await kubectlAs(s, dave, ["-n", "team", "create", "rolebinding", "erin-admin", "--clusterrole=admin", "--user=erin"]);
    expect(bad.stderr).toContain('rolebindings.rbac.authorization.k8s.io "erin-admin" is forbidden: user "dave" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    await s.k("-n", "team", "create", "role", "bind-admin", "--verb=bind", "--resource=clusterroles.rbac.authorization.k8s.io", "--resource-name=admin");
    await s.k("-n", "team", "create", "role", "escalate-roles", "--verb=escalate", "--resource=roles.rbac.authorization.k8s.io");
    await s.k("-n", "team", "create", "rolebinding", "dave-binds", "--role=bind-admin", "--user=dave");
    await s.k("-n", "team", "create", "rolebinding", "dave-escalates", "--role=escalate-roles", "--user=dave");
    expect((await eventually(dave, ["-n", "team", "create", "rolebinding", "erin-admin", "--clusterrole=admin", "--user=erin"])).stderr).toBe("");
    expect((await eventually(dave, ["-n", "team", "create", "role", "secret-reader", "--verb=get", "--resource=secrets"])).stderr).toBe("");
  });
});

test("impersonation needs the impersonate verb; kubectl --as and --as-group then act as that user", async () => {
  const refused = await kubectlAs(s, alice, ["-n", "team", "get", "configmaps", "--as", "bob"]);
  expect(refused.stderr.trim()).toBe('Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  // The admin (system:masters) may impersonate anyone; bob himself may do nothing here.
  const asBob = await s.kubectl(["-n", "team", "get", "configmaps", "--as", "bob"]);
  expect(asBob.stderr.trim()).toBe('Error from server (Forbidden): configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "team"');
  await s.k("-n", "team", "create", "rolebinding", "readers-group", "--role=cm-reader", "--group=readers");
  const deadline = Date.now() + 20_000;
  let ok = await s.kubectl(["-n", "team", "get", "configmaps", "settings", "--as", "bob", "--as-group", "readers", "-o", "name"]);
  while (ok.code !== 0 && Date.now() < deadline) {
    await Bun.sleep(100);
    ok = await s.kubectl(["-n", "team", "get", "configmaps", "settings", "--as", "bob", "--as-group", "readers", "-o", "name"]);
  }
  expect(ok.stdout.trim()).toBe("configmap/settings");
  const who = JSON.parse((await s.k("auth", "whoami", "--as", "bob", "--as-group", "readers", "-o", "jsonpath={.status.userInfo}")).trim());
  expect(who).toEqual({ username: "bob", groups: ["readers", "system:authenticated"] });
});

describe("service account tokens", () => {
  test("a TokenRequest token reaches the API with exactly its account's rights", async () => {
    await s.k("-n", "team", "create", "serviceaccount", "builder");
    const token = (await s.k("-n", "team", "create", "token", "builder", "--duration=10m")).trim();
    const kc = tokenKubeconfig(s, "builder", token);
    const who = JSON.parse((await kubectlAs(s, kc, ["auth", "whoami", "-o", "jsonpath={.status.userInfo}"])).stdout);
    expect(who.username).toBe("system:serviceaccount:team:builder");
    expect(who.groups).toEqual(["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]);
    expect((await kubectlAs(s, kc, ["-n", "team", "get", "configmaps"])).stderr.trim()).toBe(
      'Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:team:builder" cannot list resource "configmaps" in API group "" in the namespace "team"',
    );
    await s.k("-n", "team", "create", "rolebinding", "builder-reads", "--role=cm-reader", "--serviceaccount=team:builder");
    expect((await eventually(kc, ["-n", "team", "get", "configmap", "settings", "-o", "name"])).stdout.trim()).toBe("configmap/settings");
    expect((await kubectlAs(s, kc, ["-n", "team", "delete", "configmap", "settings"])).code).not.toBe(0);
    // Deleting the account revokes its tokens (after the success cache's 10 s at most).
    await s.k("-n", "team", "delete", "serviceaccount", "builder");
    expect((await eventually(kc, ["-n", "team", "get", "configmaps"], 1)).stderr).toContain("Unauthorized");
  }, 60_000);

  test("issuer discovery serves the OpenID configuration and keys to service accounts", async () => {
    await s.k("-n", "team", "create", "serviceaccount", "reader");
    const token = (await s.k("-n", "team", "create", "token", "reader")).trim();
    const conf = (await (await fetchWithToken(s, "/.well-known/openid-configuration", token)).json()) as Record<string, unknown>;
    expect(conf.issuer).toBe("https://kubernetes.default.svc.cluster.local");
    expect(conf.id_token_signing_alg_values_supported).toEqual(["ES256"]);
    const jwks = (await (await fetchWithToken(s, "/openid/v1/jwks", token)).json()) as { keys: Array<{ kty: string; alg: string; use: string; crv: string }> };
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect((await fetchWithToken(s, "/openid/v1/jwks")).status).toBe(401);
  });
});

describe("a node's credentials", () => {
  let node: string;
  beforeAll(async () => {
    const nodeYaml = (name: string) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n`;
    for (const n of ["n1", "n2"]) expect((await s.kubectl(["create", "-f", "-"], { stdin: nodeYaml(n) })).code).toBe(0);
    await s.k("-n", "team", "create", "secret", "generic", "mine", "--from-literal=k=v");
    await s.k("-n", "team", "create", "secret", "generic", "theirs", "--from-literal=k=v");
    const pod = (name: string, nodeName: string, secret: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: team\nspec:\n  nodeName: ${nodeName}\n  containers:\n  - name: c\n    image: busybox\n    env:\n    - name: K\n      valueFrom:\n        secretKeyRef: {name: ${secret}, key: k}\n`;
    expect((await s.kubectl(["create", "-f", "-"], { stdin: pod("on-n1", "n1", "mine") })).code).toBe(0);
    expect((await s.kubectl(["create", "-f", "-"], { stdin: pod("on-n2", "n2", "theirs") })).code).toBe(0);
    node = certificateKubeconfig(s, "system:node:n1", ["system:nodes"]);
  });

  test("read only the Secrets of pods bound to the node", async () => {
    expect((await eventually(node, ["-n", "team", "get", "secret", "mine", "-o", "name"])).stdout.trim()).toBe("secret/mine");
    const theirs = await kubectlAs(s, node, ["-n", "team", "get", "secret", "theirs"]);
    expect(theirs.stderr.trim()).toBe(
      `Error from server (Forbidden): secrets "theirs" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "team": no relationship found between node 'n1' and this object`,
    );
    const all = await kubectlAs(s, node, ["-n", "team", "get", "secrets"]);
    expect(all.stderr).toContain('User "system:node:n1" cannot list resource "secrets"');
  });

  test("modify only its own Node, and only pods bound to it", async () => {
    const other = await kubectlAs(s, node, ["label", "node", "n2", "x=y"]);
    expect(other.stderr.trim()).toBe('Error from server (Forbidden): nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect((await kubectlAs(s, node, ["label", "node", "n1", "x=y"])).code).toBe(0);
    const role = await kubectlAs(s, node, ["label", "node", "n1", "node-role.kubernetes.io/worker=true"]);
    expect(role.stderr.trim()).toBe('Error from server (Forbidden): nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker');
    const podOther = await kubectlAs(s, node, ["-n", "team", "delete", "pod", "on-n2", "--wait=false"]);
    expect(podOther.stderr.trim()).toBe('Error from server (Forbidden): pods "on-n2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  });
});

test("anonymous requests: health and version only; 401 elsewhere", async () => {
  expect((await fetchWithToken(s, "/healthz")).status).toBe(200);
  expect((await fetchWithToken(s, "/version")).status).toBe(200);
  expect((await fetchWithToken(s, "/api")).status).toBe(401);
  expect((await fetchWithToken(s, "/api/v1/namespaces/default/pods", "not-a-token")).status).toBe(401);
});
