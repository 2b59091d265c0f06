/**
 * The DefaultTolerationSeconds admission plugin (upstream's plugin/pkg/admission/
 * defaulttolerationseconds): a new pod that does not tolerate the node.kubernetes.io/not-ready
 * and node.kubernetes.io/unreachable NoExecute taints gets a toleration for each, for 300
 * seconds (--default-not-ready-toleration-seconds, --default-unreachable-toleration-seconds), so
 * its pods leave a failed node after five minutes instead of at once.
 */
import type { V1Toleration } from "@kubernetes/client-node";
import type { Wire } from "../api/types.ts";
import type { AdmissionPlugin } from "./chain.ts";

type Toleration = Wire<V1Toleration>;

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

export interface DefaultTolerationSecondsOptions {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

/** Whether some toleration already covers the key's NoExecute taint (an empty key or effect covers it). */
function covers(tolerations: Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
}

export function defaultTolerationSeconds(opts: DefaultTolerationSecondsOptions = {}): AdmissionPlugin {
  const notReady = opts.notReadySeconds ?? 300;
  const unreachable = opts.unreachableSeconds ?? 300;
  return {
    name: "DefaultTolerationSeconds",
    async mutate(req) {
      if (req.operation !== "CREATE" || req.ctx.subresource || req.def.group !== "" || req.def.kind !== "Pod") return;
      const spec = req.obj.spec as { tolerations?: Toleration[] } | undefined;
      if (!spec) return;
      const tolerations = spec.tolerations ?? [];
      const added: Toleration[] = [];
      if (!covers(tolerations, NOT_READY)) added.push({ key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: notReady });
      if (!covers(tolerations, UNREACHABLE)) added.push({ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: unreachable });
      if (added.length > 0) spec.tolerations = [...tolerations, ...added];
    },
  };
}
