export { NodeIpamController, type NodeIpamOptions } from "./node-ipam-controller.ts";
export { CidrSet } from "./cidr-set.ts";
