// Runs under Node.js (the runtime @kubernetes/client-node is built for): exercises CRUD, list,
// watch and an informer against the server named by the kubeconfig in argv[2], and prints one
// JSON line of results for the test to check.
import * as k8s from "@kubernetes/client-node";

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2]);
const core = kc.makeApiClient(k8s.CoreV1Api);
const ns = "default";
const out = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function crud() {
  const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "node-client" }, data: { k: "v" } } });
  const read = await core.readNamespacedConfigMap({ namespace: ns, name: "node-client" });
  const readData = read.data;
  read.data = { k: "v2" };
  const replaced = await core.replaceNamespacedConfigMap({ namespace: ns, name: "node-client", body: read });
  const list = await core.listNamespacedConfigMap({ namespace: ns });
  await core.deleteNamespacedConfigMap({ namespace: ns, name: "node-client" });
  let missing = 0;
  try {
    await core.readNamespacedConfigMap({ namespace: ns, name: "node-client" });
  } catch (e) {
    missing = e.code;
  }
  out.crud = {
    uid: typeof created.metadata?.uid === "string",
    data: readData,
    rvGrew: Number(replaced.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion),
    listed: list.items.map((c) => c.metadata?.name).includes("node-client"),
    missing,
  };
}

async function watch() {
  const events = [];
  const watcher = new k8s.Watch(kc);
  let finish;
  const done = new Promise((r) => (finish = r));
  const req = await watcher.watch(
    `/api/v1/namespaces/${ns}/configmaps`,
    {},
    (type, obj) => {
      if (obj.metadata?.name !== "watched") return;
      events.push(type);
      if (type === "DELETED") finish();
    },
    (err) => {
      if (err) out.watchError = String(err?.message ?? err);
      finish();
    },
  );
  await sleep(200);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "watched" } } });
  await core.patchNamespacedConfigMap({ namespace: ns, name: "watched", body: { data: { a: "1" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ namespace: ns, name: "watched" });
  await Promise.race([done, sleep(10000)]);
  req.abort();
  out.watch = events;
}

async function informer() {
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before" } } });
  const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
  const added = new Set();
  let gotAfter;
  const after = new Promise((r) => (gotAfter = r));
  inf.on("add", (obj) => {
    added.add(obj.metadata.name);
    if (obj.metadata.name === "after") gotAfter();
  });
  await inf.start();
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after" } } });
  await Promise.race([after, sleep(10000)]);
  await inf.stop();
  out.informer = { added: [...added].sort(), cached: inf.list(ns).map((o) => o.metadata.name).sort() };
}

try {
  await crud();
  await watch();
  await informer();
} catch (e) {
  out.error = String(e?.body?.message ?? e?.message ?? e);
}
console.log(JSON.stringify(out));
process.exit(0);
