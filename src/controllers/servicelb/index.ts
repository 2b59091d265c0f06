export { ServiceLbController, ENABLE_LB_LABEL, EXCLUDE_LB_LABEL } from "./servicelb-controller.ts";
