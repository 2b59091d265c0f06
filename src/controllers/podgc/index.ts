export { PodGcController, type PodGcOptions } from "./pod-gc-controller.ts";
