export { EndpointSliceController, CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, slicesInformer, slicesOf, type EndpointSliceControllerOptions } from "./endpointslice-controller.ts";
export { reconcileSlices, SliceTracker, type DesiredGroup, type SliceEndpoint, type SliceOwner } from "./slice-reconciler.ts";
