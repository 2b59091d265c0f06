/**
 * The EndpointSlice controller (kube-controller-manager's "endpointslice-controller"): for
 * every Service with a selector, EndpointSlices labelled kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io, owned by the Service,
 * holding at most 100 endpoints each. Each selected pod with an IP is an endpoint with the
 * conditions ready (Ready and not terminating, or publishNotReadyAddresses), serving (Ready) and
 * terminating, its node, zone and pod reference, and a hostname when its subdomain is the
 * Service. A Service without endpoints keeps one empty placeholder slice.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { addressTypes, endpointConditions, endpointPort, HEADLESS_LABEL, managesEndpoints, podEventsToServices, podIPs, podTargetRef, selectedPods, shouldPodBeInEndpoints, shouldSetHostname, TriggerTimeTracker, triggerTimeText } from "../common/endpoints.ts";
import { as, controllerRef, ENDPOINT_SLICES, errorMessage, NODES, PODS, SERVICES, type EndpointSlice, type Node, type Pod, type Service, type SlicePort } from "../common/types.ts";
import { reconcileSlices, SliceTracker, type DesiredGroup, type SliceEndpoint } from "./slice-reconciler.ts";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
const BY_SERVICE = "endpointslice-service";
const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface EndpointSliceControllerOptions {
  /** --concurrent-service-endpoint-syncs (5). */
  workers?: number;
  /** --max-endpoints-per-slice (100). */
  maxEndpointsPerSlice?: number;
}

/** The Service's slices of a manager, by "namespace/service" (an index on the shared slice informer). */
export function slicesInformer(ctx: ControllerContext): Informer {
  return ctx.informers.informer(ENDPOINT_SLICES, {}, {
    [BY_SERVICE]: (obj) => {
      const labels = obj.metadata?.labels ?? {};
      const svc = labels[SERVICE_NAME_LABEL];
      return svc ? [`${labels[MANAGED_BY_LABEL] ?? ""}|${obj.metadata?.namespace}/${svc}`] : [];
    },
  });
}

export function slicesOf(slices: Informer, managedBy: string, key: string): EndpointSlice[] {
  return slices.byIndex(BY_SERVICE, `${managedBy}|${key}`).map((s) => as<EndpointSlice>(s));
}

/** Labels of a Service's slices: the Service's own, plus the controller's. */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels };
  delete labels[SERVICE_NAME_LABEL];
  delete labels[MANAGED_BY_LABEL];
  if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";
  else delete labels[HEADLESS_LABEL];
  labels[SERVICE_NAME_LABEL] = svc.metadata!.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export class EndpointSliceController extends KeyedController {
  readonly name = "endpointslice-controller";
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly slices: Informer;
  private readonly recorder: EventRecorder;
  private readonly triggers = new TriggerTimeTracker();
  private readonly tracker = new SliceTracker();
  private readonly maxPerSlice: number;

  constructor(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}) {
    super(ctx, undefined, opts.workers ?? 5);
    this.maxPerSlice = opts.maxEndpointsPerSlice ?? 100;
    this.recorder = ctx.recorder("endpoint-slice-controller");
    const enqueue = (obj: KubeObject) => this.queue.add(objectKey(obj));
    this.services = this.watch(ctx.informers.informer(SERVICES), { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.pods = this.watch(ctx.informers.informer(PODS), podEventsToServices(this.services, (key) => this.queue.add(key)));
    // Zones come from nodes; a node's zone label rarely changes, so node events are not followed.
    this.nodes = this.watch(ctx.informers.informer(NODES), {});
    const sliceChanged = (obj: KubeObject) => {
      const labels = obj.metadata?.labels ?? {};
      if (labels[MANAGED_BY_LABEL] !== CONTROLLER_NAME || !labels[SERVICE_NAME_LABEL]) return;
      this.queue.add(`${obj.metadata?.namespace}/${labels[SERVICE_NAME_LABEL]}`);
    };
    this.slices = this.watch(slicesInformer(ctx), { update: (_, cur) => sliceChanged(cur), delete: sliceChanged });
  }

  private endpointFor(pod: Pod, svc: Service, addressType: "IPv4" | "IPv6"): SliceEndpoint | undefined {
    const addresses = podIPs(pod, addressType);
    if (addresses.length === 0) return undefined;
    const ep: SliceEndpoint = { addresses: [addresses[0]!], conditions: endpointConditions(pod, svc), targetRef: podTargetRef(pod) };
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      ep.nodeName = nodeName;
      const zone = this.nodes.get(nodeName) && as<Node>(this.nodes.get(nodeName)!).metadata?.labels?.[ZONE_LABEL];
      if (zone) ep.zone = zone;
    }
    if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
    return ep;
  }

  /** Endpoints grouped by address type and the ports each pod serves. */
  private desiredGroups(svc: Service, pods: Pod[]): DesiredGroup[] {
    const groups = new Map<string, DesiredGroup>();
    const types = addressTypes(svc);
    for (const t of types) groups.set(`${t}|[]`, { addressType: t, ports: [], endpoints: [] });
    const sorted = [...pods].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
    for (const pod of sorted) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports: SlicePort[] = [];
      for (const sp of svc.spec?.ports ?? []) {
        const port = endpointPort(pod, sp);
        if (port) ports.push({ ...port, name: port.name ?? "" });
      }
      for (const t of types) {
        const ep = this.endpointFor(pod, svc, t);
        if (!ep) continue;
        const key = `${t}|${JSON.stringify(ports)}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { addressType: t, ports, endpoints: [] }));
        g.endpoints.push(ep);
      }
    }
    return [...groups.values()];
  }

  protected async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const cached = this.services.get(key);
    if (!cached) {
      // Owned by the Service: the garbage collector deletes them with it.
      this.triggers.forget(key);
      this.tracker.forget(key);
      return;
    }
    if (this.tracker.stale(key, (name) => this.slices.get(`${namespace}/${name}`) as EndpointSlice | undefined)) {
      // Our last writes are not in the cache yet; look again shortly.
      return this.enqueueAfter(key, 50);
    }
    const svc = as<Service>(cached);
    const existing = slicesOf(this.slices, CONTROLLER_NAME, key);
    if (!managesEndpoints(svc)) {
      // A Service that lost its selector keeps no controller-managed slices.
      for (const s of existing) await this.ctx.client.delete(ENDPOINT_SLICES, namespace, s.metadata!.name!).catch(() => undefined);
      return;
    }
    const pods = selectedPods(svc, this.pods);
    const trigger = this.triggers.compute(key, svc, pods);
    try {
      const result = await reconcileSlices(
        this.ctx.client,
        {
          namespace,
          generateName: `${svc.metadata!.name}-`.slice(0, 57),
          labels: sliceLabels(svc),
          annotations: {},
          ownerRef: controllerRef(svc, "v1", "Service"),
          triggerTime: trigger ? triggerTimeText(trigger) : undefined,
          maxEndpointsPerSlice: this.maxPerSlice,
          placeholder: true,
        },
        this.desiredGroups(svc, pods),
        existing,
      );
      this.tracker.record(key, result);
    } catch (err) {
      this.recorder.event(svc, "Warning", "FailedToUpdateEndpointSlices", `Error updating Endpoint Slices for Service ${key}: ${errorMessage(err)}`);
      throw err;
    }
  }
}
