/**
 * The DefaultTolerationSeconds admission plugin (upstream's plugin/pkg/admission/
 * defaulttolerationseconds): a new pod that does not tolerate the node.kubernetes.io/not-ready
 * and unreachable NoExecute taints gets tolerations for them with tolerationSeconds 300
 * (--default-not-ready-toleration-seconds, --default-unreachable-toleration-seconds), so its
 * pods are evicted five minutes after their node fails.
 */
import type { AdmissionPlugin } from "./chain.ts";

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface DefaultTolerationSecondsOptions {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

function tolerates(list: Toleration[], key: string): boolean {
  return list.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
}

export function defaultTolerationSeconds(opts: DefaultTolerationSecondsOptions = {}): AdmissionPlugin {
  return {
    name: "DefaultTolerationSeconds",
    async mutate(req) {
      if (req.operation !== "CREATE" || req.ctx.subresource || req.def.group !== "" || req.def.plural !== "pods") return;
      const spec = (req.obj.spec ??= {}) as { tolerations?: Toleration[] };
      const list = spec.tolerations ?? [];
      const added: Toleration[] = [];
      if (!tolerates(list, NOT_READY)) added.push({ key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: opts.notReadySeconds ?? 300 });
      if (!tolerates(list, UNREACHABLE)) added.push({ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: opts.unreachableSeconds ?? 300 });
      if (added.length > 0) spec.tolerations = [...list, ...added];
    },
  };
}
