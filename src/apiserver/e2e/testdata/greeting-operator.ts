/**
 * An operator written the way users write one with @kubernetes/client-node: informers (list +
 * watch) on a custom resource, Greeting (demo.example.com/v1), and on the ConfigMaps it owns; a
 * work queue of namespace/name keys; and a reconcile that makes each Greeting's ConfigMap match
 * its spec (the Greeting as controller owner, so the garbage collector removes the ConfigMap with
 * it) and reports progress through the Greeting's status subresource.
 *
 * Run by operator.test.ts as a child process: argv[2] is a kubeconfig. It prints one JSON line per
 * action to stdout ({action, key, ...}), errors as {action: "error"}, and stops on SIGTERM.
 */
import * as k8s from "@kubernetes/client-node";

const GROUP = "demo.example.com";
const VERSION = "v1";
const PLURAL = "greetings";
const MANAGER = "greeting-operator";
const MANAGED_BY = { "app.kubernetes.io/managed-by": MANAGER };

interface Greeting extends k8s.KubernetesObject {
  spec: { salutation: string; target: string };
  status?: { observedGeneration?: number; configMap?: string; phase?: string };
}

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2]!);
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const say = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

const greetings = k8s.makeInformer<Greeting>(kc, `/apis/${GROUP}/${VERSION}/${PLURAL}`, async () => (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as k8s.KubernetesListObject<Greeting>);
const configMaps = k8s.makeInformer<k8s.V1ConfigMap>(kc, "/api/v1/configmaps", () => core.listConfigMapForAllNamespaces({ labelSelector: "app.kubernetes.io/managed-by=greeting-operator" }), "app.kubernetes.io/managed-by=greeting-operator");

// The work queue: a key queued while it is being reconciled is reconciled again afterwards.
const queued = new Set<string>();
let running: Promise<void> | undefined;
function enqueue(key: string): void {
  queued.add(key);
  running ??= drain().finally(() => (running = undefined));
}
async function drain(): Promise<void> {
  while (queued.size > 0) {
    const key = queued.values().next().value!;
    queued.delete(key);
    try {
      await reconcile(key);
    } catch (e) {
      const err = e as { code?: number; body?: string; message?: string };
      say({ action: "error", key, code: err.code, message: String(err.body ?? err.message) });
      // Conflicts (a stale cache) and the like: try again once the informers have caught up.
      setTimeout(() => enqueue(key), 200);
    }
  }
}

const keyOf = (o: k8s.KubernetesObject) => `${o.metadata!.namespace}/${o.metadata!.name}`;
const configMapName = (greeting: string) => `${greeting}-greeting`;

function desiredConfigMap(g: Greeting): k8s.V1ConfigMap {
  const owner: k8s.V1OwnerReference = { apiVersion: g.apiVersion!, kind: g.kind!, name: g.metadata!.name!, uid: g.metadata!.uid!, controller: true, blockOwnerDeletion: true };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMapName(g.metadata!.name!), namespace: g.metadata!.namespace, labels: { ...MANAGED_BY, greeting: g.metadata!.name! }, ownerReferences: [owner] },
    data: { message: `${g.spec.salutation}, ${g.spec.target}!` },
  };
}

async function reconcile(key: string): Promise<void> {
  const [namespace, name] = key.split("/") as [string, string];
  const g = greetings.get(name, namespace);
  // Gone or going: the garbage collector removes the ConfigMap; nothing to do.
  if (!g || g.metadata?.deletionTimestamp) return;
  const want = desiredConfigMap(g);
  const have = configMaps.get(want.metadata!.name!, namespace);
  if (!have) {
    await core.createNamespacedConfigMap({ namespace, body: want, fieldManager: MANAGER });
    say({ action: "created", key, configMap: want.metadata!.name });
  } else if (JSON.stringify(have.data) !== JSON.stringify(want.data)) {
    await core.replaceNamespacedConfigMap({ namespace, name: want.metadata!.name!, body: { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata!.resourceVersion } }, fieldManager: MANAGER });
    say({ action: "updated", key, configMap: want.metadata!.name });
  }
  const status = { observedGeneration: g.metadata!.generation, configMap: want.metadata!.name, phase: "Ready" };
  if (JSON.stringify(g.status ?? {}) === JSON.stringify(status)) return;
  await custom.patchNamespacedCustomObjectStatus(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status }, fieldManager: MANAGER },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
  say({ action: "status", key, generation: g.metadata!.generation });
}

greetings.on("add", (g) => enqueue(keyOf(g)));
greetings.on("update", (g) => enqueue(keyOf(g)));
greetings.on("delete", (g) => say({ action: "deleted", key: keyOf(g) }));
// A ConfigMap changed or deleted behind the operator's back is put back by its owner's reconcile.
const toOwner = (cm: k8s.V1ConfigMap) => {
  const owner = cm.metadata?.ownerReferences?.find((r) => r.controller && r.kind === "Greeting");
  if (owner) enqueue(`${cm.metadata!.namespace}/${owner.name}`);
};
configMaps.on("update", toOwner);
configMaps.on("delete", toOwner);

// An informer stops on a watch error; start it again after a pause, as client-node's docs advise.
for (const [what, informer] of [["greetings", greetings], ["configmaps", configMaps]] as const) {
  informer.on("error", (err: unknown) => {
    say({ action: "error", informer: what, message: String((err as Error)?.message ?? err) });
    setTimeout(() => void informer.start(), 1000);
  });
}

process.on("SIGTERM", async () => {
  await Promise.all([greetings.stop(), configMaps.stop()]);
  await running;
  say({ action: "stopped" });
  process.exit(0);
});

// The ConfigMap cache first, so the first reconciles do not try to create what already exists.
await configMaps.start();
await greetings.start();
say({ action: "started" });
