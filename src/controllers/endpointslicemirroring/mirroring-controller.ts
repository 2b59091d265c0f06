/**
 * The EndpointSlice mirroring controller (kube-controller-manager's
 * "endpointslice-mirroring-controller"): Endpoints that people write by hand for Services
 * without a selector are mirrored into EndpointSlices (managed-by
 * endpointslicemirroring-controller.k8s.io, owned by the Endpoints), so consumers that read
 * only slices see them too. Ready addresses become ready endpoints, notReadyAddresses not-ready
 * ones; Endpoints labelled endpointslice.kubernetes.io/skip-mirror=true (the API server's own
 * `kubernetes` Endpoints) are left alone, and at most 1000 addresses per subset are mirrored.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { MANAGED_BY_LABEL, reconcileSlices, SERVICE_NAME_LABEL, SliceTracker, slicesInformer, slicesOf, type DesiredGroup, type SliceEndpoint } from "../endpointslice/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isIPv6, LAST_CHANGE_TRIGGER_TIME } from "../common/endpoints.ts";
import { as, controllerRef, ENDPOINT_SLICES, ENDPOINTS, SERVICES, type EndpointAddress, type Endpoints, type EndpointSlice, type Service, type SlicePort } from "../common/types.ts";

export const MIRRORING_CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
const MAX_ENDPOINTS_PER_SUBSET = 1000;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
/** Endpoints used as leader-election locks are not service endpoints. */
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

export interface MirroringOptions {
  workers?: number;
  maxEndpointsPerSlice?: number;
}

function shouldMirror(ep: Endpoints): boolean {
  return ep.metadata?.labels?.[SKIP_MIRROR_LABEL] !== "true" && !ep.metadata?.annotations?.[LEADER_ANNOTATION];
}

function mirroredEndpoint(addr: EndpointAddress, ready: boolean): SliceEndpoint {
  const ep: SliceEndpoint = { addresses: [addr.ip], conditions: { ready } };
  if (addr.hostname) ep.hostname = addr.hostname;
  if (addr.nodeName) ep.nodeName = addr.nodeName;
  if (addr.targetRef) ep.targetRef = { ...addr.targetRef };
  return ep;
}

function desiredGroups(ep: Endpoints): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  for (const subset of ep.subsets ?? []) {
    const ports: SlicePort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP", ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const all = [...(subset.addresses ?? []).map((a) => [a, true] as const), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as const)].slice(0, MAX_ENDPOINTS_PER_SUBSET);
    for (const [addr, ready] of all) {
      const addressType = isIPv6(addr.ip) ? "IPv6" : "IPv4";
      const key = `${addressType}|${JSON.stringify(ports)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      g.endpoints.push(mirroredEndpoint(addr, ready));
    }
  }
  return [...groups.values()];
}

export class EndpointSliceMirroringController extends KeyedController {
  readonly name = "endpointslice-mirroring-controller";
  private readonly endpoints: Informer;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly tracker = new SliceTracker();
  private readonly maxPerSlice: number;

  constructor(ctx: ControllerContext, opts: MirroringOptions = {}) {
    super(ctx, undefined, opts.workers ?? 5);
    this.maxPerSlice = opts.maxEndpointsPerSlice ?? 100;
    const enqueue = (obj: KubeObject) => this.queue.add(objectKey(obj));
    this.endpoints = this.watch(ctx.informers.informer(ENDPOINTS), { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.services = this.watch(ctx.informers.informer(SERVICES), { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    const sliceChanged = (obj: KubeObject) => {
      const labels = obj.metadata?.labels ?? {};
      if (labels[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME && labels[SERVICE_NAME_LABEL]) this.queue.add(`${obj.metadata?.namespace}/${labels[SERVICE_NAME_LABEL]}`);
    };
    this.slices = this.watch(slicesInformer(ctx), { update: (_, cur) => sliceChanged(cur), delete: sliceChanged });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const existing = slicesOf(this.slices, MIRRORING_CONTROLLER_NAME, key);
    const cachedEp = this.endpoints.get(key);
    const cachedSvc = this.services.get(key);
    const ep = cachedEp && as<Endpoints>(cachedEp);
    const svc = cachedSvc && as<Service>(cachedSvc);
    // Mirrored only while the Endpoints exist, want mirroring, and their Service has no selector.
    if (!ep || !svc || svc.spec?.selector != null || !shouldMirror(ep)) {
      this.tracker.forget(key);
      for (const s of existing) await this.ctx.client.delete(ENDPOINT_SLICES, namespace, s.metadata!.name!).catch(() => undefined);
      return;
    }
    if (this.tracker.stale(key, (n) => this.slices.get(`${namespace}/${n}`) as EndpointSlice | undefined)) return this.enqueueAfter(key, 50);
    const labels: Record<string, string> = { ...ep.metadata?.labels, [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME };
    const annotations: Record<string, string> = { ...ep.metadata?.annotations };
    delete annotations[LAST_APPLIED];
    const trigger = annotations[LAST_CHANGE_TRIGGER_TIME];
    delete annotations[LAST_CHANGE_TRIGGER_TIME];
    const result = await reconcileSlices(
      this.ctx.client,
      {
        namespace,
        generateName: `${name}-`.slice(0, 57),
        labels,
        annotations,
        ownerRef: controllerRef(ep, "v1", "Endpoints"),
        triggerTime: trigger,
        maxEndpointsPerSlice: this.maxPerSlice,
        placeholder: false,
      },
      desiredGroups(ep),
      existing,
    );
    this.tracker.record(key, result);
  }
}
