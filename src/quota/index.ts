/** Quota accounting shared by the ResourceQuota admission plugin and the resource quota controller. */
export { CONTAINER_DECLARED, computeUsage, missingDeclarations, objectCountName, podCountsForQuota, podResources, quotaMatches, resourceOfQuotaName, scopedQuotaTracks, usageOf, type Usage } from "./usage.ts";
export { formatResourceList, parseResourceList, prettyPrint, sumUsage } from "./lists.ts";
