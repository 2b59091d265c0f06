export { TaintEvictionController, type TaintEvictionOptions } from "./taint-eviction-controller.ts";
