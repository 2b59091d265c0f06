/**
 * The networking controllers: node IPAM (a pod CIDR per node, from --cluster-cidr) and ServiceLB
 * (node addresses as the ingress of LoadBalancer Services), with kube-controller-manager's and
 * k3s's names.
 */
import type { KnownController } from "./index.ts";
import { NodeIpamController, type NodeIpamOptions } from "./nodeipam/index.ts";
import type { Controller } from "./runner.ts";
import { ServiceLbController } from "./servicelb/index.ts";

export interface NetworkControllerOptions {
  /** --cluster-cidr and --node-cidr-mask-size; without a cluster CIDR no pod CIDRs are allocated. */
  nodeIpam?: NodeIpamOptions;
}

export const NETWORK_CONTROLLERS: KnownController[] = [
  {
    name: "node-ipam-controller",
    aliases: ["nodeipam"],
    make: (ctx, o) => (o.nodeIpam?.clusterCidr ? new NodeIpamController(ctx, o.nodeIpam.clusterCidr, o.nodeIpam.nodeCidrMaskSize) : idle("node-ipam-controller")),
  },
  { name: "service-lb-controller", aliases: ["servicelb", "service"], make: (ctx) => new ServiceLbController(ctx) },
];

/** A controller with nothing to do (node IPAM without a cluster CIDR). */
function idle(name: string): Controller {
  return { name, start: async () => undefined, stop: async () => undefined };
}
