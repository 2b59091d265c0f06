export { NodeLifecycleController, NODE_LEASE_NAMESPACE, podsByNode, BY_NODE_NAME, type NodeLifecycleOptions } from "./node-lifecycle-controller.ts";
