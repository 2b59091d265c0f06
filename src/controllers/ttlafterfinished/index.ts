export { TtlAfterFinishedController, type TtlAfterFinishedOptions } from "./ttl-after-finished-controller.ts";
