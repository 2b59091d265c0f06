export { DisruptionController, type DisruptionControllerOptions } from "./disruption-controller.ts";
