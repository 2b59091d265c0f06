export { EndpointSliceMirroringController, MIRRORING_CONTROLLER_NAME, SKIP_MIRROR_LABEL, type MirroringOptions } from "./mirroring-controller.ts";
