/** The CLI behind scripts/e2e-cluster (see there); the cluster itself is src/testing/e2e-cluster.ts. */
import { clusterDown, clusterIds, clusterUnavailable, clusterUp, loadState } from "../../src/testing/e2e-cluster.ts";

const [cmd, ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};

switch (cmd) {
  case "up": {
    const why = await clusterUnavailable();
    if (why) {
      console.error(`e2e-cluster: cannot build a cluster here: ${why}`);
      process.exit(2);
    }
    const state = await clusterUp({ id: flag("--id"), agents: flag("--agents") ? Number(flag("--agents")) : undefined });
    console.log(`id=${state.id}`);
    console.log(`kubeconfig=${state.kubeconfig}`);
    console.log(`server=${state.server.ip} agents=${state.agents.map((a) => `${a.nodeName}:${a.ip}`).join(",")}`);
    console.log(`# kubectl --kubeconfig ${state.kubeconfig} get nodes -o wide`);
    break;
  }
  case "down": {
    if (!rest[0]) {
      console.error("e2e-cluster: down needs a cluster id (scripts/e2e-cluster ls) or --all");
      process.exit(2);
    }
    const ids = rest[0] === "--all" ? await clusterIds() : [rest[0]];
    if (ids.length === 0) console.error("e2e-cluster: nothing to remove");
    for (const id of ids) await clusterDown(id);
    break;
  }
  case "ls": {
    for (const id of await clusterIds()) {
      let detail = "";
      try {
        detail = ` kubeconfig=${loadState(id).kubeconfig}`;
      } catch {
        detail = " (incomplete)";
      }
      console.log(`${id}${detail}`);
    }
    break;
  }
  default:
    console.error("usage: scripts/e2e-cluster up [--id ID] [--agents N] | down [ID|--all] | ls");
    process.exit(2);
}
