/**
 * Resource arithmetic shared by the admission plugins: quantities of resource lists, and a
 * pod's effective requests and limits (upstream's resourcehelper.PodRequests/PodLimits: the
 * regular and sidecar containers add up, an init container counts alone, overhead is added).
 */
import { formatQuantity, parseQuantity, type Quantity } from "../validation/quantity.ts";
import type { Container, Pod, ResourceList } from "../resources/core/types.ts";

export type Amounts = Map<string, bigint>;

/** The nano-unit amounts of a resource list (unparseable entries are left out: validation reports them). */
export function amountsOf(list: ResourceList | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(String(v));
    if (q) out.set(k, q.nanos);
  }
  return out;
}

/** A quantity as upstream prints it (canonical form). */
export function showQuantity(text: string | undefined): string {
  const q = text === undefined ? undefined : parseQuantity(String(text));
  return q ? formatQuantity(q) : String(text ?? "");
}

/** Nano-units as a canonical quantity ("500m", "1Gi" when the source was binary). */
export function showAmount(nanos: bigint, binary = false): string {
  const q: Quantity = { nanos, format: binary ? "BinarySI" : "DecimalSI" };
  return formatQuantity(q);
}

function add(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0n) + v);
}

function maxInto(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) if ((into.get(k) ?? -1n) < v) into.set(k, v);
}

const isSidecar = (c: Container) => c.restartPolicy === "Always";

/** A pod's effective requests or limits. */
export function podAmounts(pod: Pod, which: "requests" | "limits"): Amounts {
  const spec = pod.spec;
  const sum: Amounts = new Map();
  for (const c of spec?.containers ?? []) add(sum, amountsOf(c.resources?.[which]));
  // Init containers run one at a time, each beside the sidecars started before it.
  const sidecars: Amounts = new Map();
  const initMax: Amounts = new Map();
  for (const c of spec?.initContainers ?? []) {
    const own = amountsOf(c.resources?.[which]);
    if (isSidecar(c)) {
      add(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const during = new Map(sidecars);
      add(during, own);
      maxInto(initMax, during);
    }
  }
  add(sum, sidecars);
  maxInto(sum, initMax);
  add(sum, amountsOf(spec?.overhead as ResourceList | undefined));
  return sum;
}

/** Whether a resource list's entry for `name` was written in a binary unit (to print sums alike). */
export function isBinary(text: string | undefined): boolean {
  return text !== undefined && parseQuantity(String(text))?.format === "BinarySI";
}
