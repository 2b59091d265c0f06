/**
 * The endpoints controller (kube-controller-manager's "endpoints-controller"): for every Service
 * with a selector, an Endpoints object of the same name listing the selected pods' addresses —
 * ready pods under `addresses`, the others under `notReadyAddresses` (all ready with
 * publishNotReadyAddresses) — with each Service port's target resolved per pod (named ports),
 * hostnames for pods whose subdomain is the Service, node names and pod references, the
 * Service's labels (plus service.kubernetes.io/headless for headless Services) and the
 * endpoints.kubernetes.io/last-change-trigger-time annotation. Selector-less Services keep the
 * Endpoints their users write.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { deepEqual } from "../common/equal.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { addressTypes, endpointConditions, endpointPort, HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, managesEndpoints, podEventsToServices, podIPs, podTargetRef, selectedPods, shouldPodBeInEndpoints, shouldSetHostname, TriggerTimeTracker, triggerTimeText } from "../common/endpoints.ts";
import { as, copy, ENDPOINTS, errorMessage, isApiError, PODS, SERVICES, type EndpointAddress, type Endpoints, type Pod, type Service } from "../common/types.ts";
import { repackSubsets, type Subset } from "./repack.ts";

/** Addresses kept in one Endpoints object (upstream's maxCapacity). */
const MAX_CAPACITY = 1000;
const OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";

export interface EndpointsControllerOptions {
  /** --concurrent-endpoint-syncs (5). */
  workers?: number;
}

function podAddress(pod: Pod, svc: Service): EndpointAddress | undefined {
  const ip = podIPs(pod, addressTypes(svc)[0]!)[0];
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip, targetRef: podTargetRef(pod) };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
  return addr;
}

/** The subsets a Service's pods make, before repacking. */
function desiredSubsets(svc: Service, pods: Pod[]): Subset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const subsets: Subset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podAddress(pod, svc);
    if (!addr) continue;
    const { ready } = endpointConditions(pod, svc);
    const entry = (ports: Subset["ports"]): Subset => (ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0 && svc.spec?.clusterIP === "None") {
      subsets.push(entry(undefined));
      continue;
    }
    for (const sp of svcPorts) {
      const port = endpointPort(pod, sp);
      if (port) subsets.push(entry([port]));
    }
  }
  return repackSubsets(subsets);
}

/** Keeps at most MAX_CAPACITY addresses, ready ones first. */
function truncate(subsets: Subset[]): { subsets: Subset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= MAX_CAPACITY) return { subsets, truncated: false };
  let room = MAX_CAPACITY;
  const out = subsets.map((s) => ({ ...s }));
  for (const s of out) {
    s.addresses = (s.addresses ?? []).slice(0, room);
    room -= s.addresses.length;
  }
  for (const s of out) {
    s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, room);
    room -= s.notReadyAddresses.length;
  }
  return { subsets: out.filter((s) => s.addresses!.length + s.notReadyAddresses!.length > 0), truncated: true };
}

export class EndpointsController extends KeyedController {
  readonly name = "endpoints-controller";
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly recorder: EventRecorder;
  private readonly triggers = new TriggerTimeTracker();

  constructor(ctx: ControllerContext, opts: EndpointsControllerOptions = {}) {
    super(ctx, undefined, opts.workers ?? 5);
    this.recorder = ctx.recorder("endpoint-controller");
    const enqueue = (obj: KubeObject) => this.queue.add(objectKey(obj));
    this.services = this.watch(ctx.informers.informer(SERVICES), { add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue });
    this.pods = this.watch(ctx.informers.informer(PODS), podEventsToServices(this.services, (key) => this.queue.add(key)));
    // Managed Endpoints changed or deleted by someone else are put right again.
    const managed = (obj: KubeObject) => {
      const svc = this.services.get(objectKey(obj));
      if (svc && managesEndpoints(as<Service>(svc))) enqueue(obj);
    };
    this.endpoints = this.watch(ctx.informers.informer(ENDPOINTS), { update: (_, cur) => managed(cur), delete: managed });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.services.get(key);
    if (!cached) {
      this.triggers.forget(key);
      // The Service is gone: so are its Endpoints (a selector-less Service's too, as upstream).
      if (!this.endpoints.get(key)) return;
      try {
        await this.ctx.client.delete(ENDPOINTS, namespace, name);
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
      return;
    }
    const svc = as<Service>(cached);
    if (!managesEndpoints(svc)) return;
    const pods = selectedPods(svc, this.pods);
    const trigger = this.triggers.compute(key, svc, pods);
    const { subsets, truncated } = truncate(desiredSubsets(svc, pods));
    const labels: Record<string, string> = { ...svc.metadata?.labels };
    if (svc.spec?.clusterIP === "None") labels[HEADLESS_LABEL] = "";

    const existing = this.endpoints.get(key);
    const current = existing ? as<Endpoints>(existing) : undefined;
    const currentLabels = { ...current?.metadata?.labels };
    const capacityOk = (current?.metadata?.annotations?.[OVER_CAPACITY] === "truncated") === truncated;
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(currentLabels, labels) && capacityOk) return;

    const next: Endpoints = current ? copy<Endpoints>(current) : { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace } };
    next.subsets = subsets;
    next.metadata!.labels = labels;
    const annotations = { ...next.metadata!.annotations };
    if (trigger) annotations[LAST_CHANGE_TRIGGER_TIME] = triggerTimeText(trigger);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[OVER_CAPACITY] = "truncated";
    else delete annotations[OVER_CAPACITY];
    next.metadata!.annotations = Object.keys(annotations).length > 0 ? annotations : undefined;
    try {
      if (current) await this.ctx.client.update(ENDPOINTS, namespace, next);
      else await this.ctx.client.create(ENDPOINTS, namespace, next);
    } catch (err) {
      // A namespace going away refuses new objects: nothing to report.
      if (isApiError(err, 403) && !current) return;
      if (isApiError(err, 409) && !current) {
        // Created meanwhile (by us earlier, or by its user): the informer will show it; try again then.
        throw err;
      }
      const verb = current ? "update" : "create";
      this.recorder.event(svc, "Warning", current ? "FailedToUpdateEndpoint" : "FailedToCreateEndpoint", `Failed to ${verb} endpoint ${namespace}/${name}: ${errorMessage(err)}`);
      throw err;
    }
  }
}
