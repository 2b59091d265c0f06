export { aggregatedRules, ClusterRoleAggregationController } from "./controller.ts";
