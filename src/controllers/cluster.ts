/**
 * The cluster-lifecycle controllers (Job, CronJob, TTL-after-finished, PodGC, node lifecycle and
 * taint eviction, endpoints, EndpointSlices and their mirroring, service accounts, root CA
 * publishing, resource quota, disruption), with kube-controller-manager's names and options.
 */
import type { KnownController } from "./index.ts";
import { CronJobController, type CronJobControllerOptions } from "./cronjob/index.ts";
import { DisruptionController, type DisruptionControllerOptions } from "./disruption/index.ts";
import { EndpointsController, type EndpointsControllerOptions } from "./endpoint/index.ts";
import { EndpointSliceController, type EndpointSliceControllerOptions } from "./endpointslice/index.ts";
import { EndpointSliceMirroringController, type MirroringOptions } from "./endpointslicemirroring/index.ts";
import { JobController, type JobControllerOptions } from "./job/index.ts";
import { ResourceQuotaController } from "./resourcequota/resource-quota-controller.ts";
import { NodeLifecycleController, type NodeLifecycleOptions } from "./nodelifecycle/index.ts";
import { PodGcController, type PodGcOptions } from "./podgc/index.ts";
import { RootCaPublisher } from "./rootcacert/index.ts";
import type { Controller } from "./runner.ts";
import { ServiceAccountsController, type ServiceAccountsOptions } from "./serviceaccount/index.ts";
import { TaintEvictionController, type TaintEvictionOptions } from "./tainteviction/index.ts";
import { TtlAfterFinishedController, type TtlAfterFinishedOptions } from "./ttlafterfinished/index.ts";

export interface ClusterControllerOptions {
  job?: JobControllerOptions;
  cronJob?: CronJobControllerOptions;
  ttlAfterFinished?: TtlAfterFinishedOptions;
  podGc?: PodGcOptions;
  nodeLifecycle?: NodeLifecycleOptions;
  taintEviction?: TaintEvictionOptions;
  endpoints?: EndpointsControllerOptions;
  endpointSlices?: EndpointSliceControllerOptions;
  endpointSliceMirroring?: MirroringOptions;
  serviceAccounts?: ServiceAccountsOptions;
  disruption?: DisruptionControllerOptions;
  /** PEM of the CA that signed the API server's certificate, published as kube-root-ca.crt; without it the publisher idles. */
  rootCa?: string;
}

export const CLUSTER_CONTROLLERS: KnownController[] = [
  { name: "job-controller", aliases: ["job"], make: (ctx, o) => new JobController(ctx, o.job) },
  { name: "cronjob-controller", aliases: ["cronjob"], make: (ctx, o) => new CronJobController(ctx, o.cronJob) },
  { name: "resourcequota-controller", aliases: ["resourcequota"], make: (ctx) => new ResourceQuotaController(ctx) },
  { name: "ttl-after-finished-controller", aliases: ["ttl-after-finished"], make: (ctx, o) => new TtlAfterFinishedController(ctx, o.ttlAfterFinished) },
  { name: "pod-garbage-collector-controller", aliases: ["podgc"], make: (ctx, o) => new PodGcController(ctx, o.podGc) },
  { name: "node-lifecycle-controller", aliases: ["nodelifecycle"], make: (ctx, o) => new NodeLifecycleController(ctx, o.nodeLifecycle) },
  { name: "taint-eviction-controller", aliases: [], make: (ctx, o) => new TaintEvictionController(ctx, o.taintEviction) },
  { name: "endpoints-controller", aliases: ["endpoint"], make: (ctx, o) => new EndpointsController(ctx, o.endpoints) },
  { name: "endpointslice-controller", aliases: ["endpointslice"], make: (ctx, o) => new EndpointSliceController(ctx, o.endpointSlices) },
  { name: "endpointslice-mirroring-controller", aliases: ["endpointslicemirroring"], make: (ctx, o) => new EndpointSliceMirroringController(ctx, o.endpointSliceMirroring) },
  { name: "serviceaccount-controller", aliases: ["serviceaccount"], make: (ctx, o) => new ServiceAccountsController(ctx, o.serviceAccounts) },
  { name: "disruption-controller", aliases: ["disruption"], make: (ctx, o) => new DisruptionController(ctx, o.disruption) },
  {
    name: "root-ca-certificate-publisher-controller",
    aliases: ["root-ca-cert-publisher"],
    make: (ctx, o) => (o.rootCa ? new RootCaPublisher(ctx, { rootCa: o.rootCa }) : idle("root-ca-certificate-publisher-controller")),
  },
];

/** A controller with nothing to do (a publisher without its CA). */
function idle(name: string): Controller {
  return { name, start: async () => undefined, stop: async () => undefined };
}
