export { EndpointsController, type EndpointsControllerOptions } from "./endpoints-controller.ts";
export { repackSubsets } from "./repack.ts";
