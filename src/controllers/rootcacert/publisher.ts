/**
 * The root CA publisher (kube-controller-manager's "root-ca-certificate-publisher-controller"):
 * every active namespace has the ConfigMap kube-root-ca.crt holding the CA that signs the API
 * server's serving certificate (data "ca.crt"), which service account token volumes mount so
 * pods can verify https://kubernetes.default.svc. Edited or deleted copies are put back.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { as, CONFIG_MAPS, copy, hasStatusCause, isApiError, NAMESPACES, type ConfigMap, type Namespace } from "../common/types.ts";

export const ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";
const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
  "No other usage is guaranteed across distributions of Kubernetes clusters.";

export interface RootCaPublisherOptions {
  /** PEM of the CA that signed the API server's serving certificate. */
  rootCa: string;
  workers?: number;
}

export class RootCaPublisher extends KeyedController {
  readonly name = "root-ca-certificate-publisher-controller";
  private readonly namespaces: Informer;
  private readonly configMaps: Informer;
  private readonly rootCa: string;

  constructor(ctx: ControllerContext, opts: RootCaPublisherOptions) {
    super(ctx, undefined, opts.workers ?? 1);
    this.rootCa = opts.rootCa;
    const enqueueNs = (obj: KubeObject) => this.queue.add(obj.metadata?.name ?? "");
    this.namespaces = this.watch(ctx.informers.informer(NAMESPACES), { add: enqueueNs, update: (_, cur) => enqueueNs(cur) });
    const cmChanged = (obj: KubeObject) => {
      if (obj.metadata?.name === ROOT_CA_CONFIG_MAP) this.queue.add(obj.metadata.namespace ?? "");
    };
    // Only the published ConfigMap is cached, not every ConfigMap of the cluster.
    const scope = { fieldSelector: `metadata.name=${ROOT_CA_CONFIG_MAP}` };
    this.configMaps = this.watch(ctx.informers.informer(CONFIG_MAPS, scope), { update: (_, cur) => cmChanged(cur), delete: cmChanged });
  }

  protected async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || as<Namespace>(ns).status?.phase === "Terminating" || ns.metadata?.deletionTimestamp) return;
    const data = { "ca.crt": this.rootCa };
    const cached = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIG_MAP}`);
    try {
      if (!cached) {
        await this.ctx.client.create(CONFIG_MAPS, namespace, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: ROOT_CA_CONFIG_MAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data,
        });
        return;
      }
      const cm = as<ConfigMap>(cached);
      const sameData = JSON.stringify(cm.data ?? {}) === JSON.stringify(data) && !cm.binaryData;
      if (sameData && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      const next = copy<ConfigMap>(cm);
      next.data = data;
      delete next.binaryData;
      next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } };
      await this.ctx.client.update(CONFIG_MAPS, namespace, next);
    } catch (err) {
      // The namespace is going away: nothing to publish. (A conflict is retried.)
      if (isApiError(err, 404) || hasStatusCause(err, "NamespaceTerminating")) return;
      throw err;
    }
  }
}
