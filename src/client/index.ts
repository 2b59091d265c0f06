/**
 * The client layer: the Client contract, informers (cached list+watch) and work queues, on which
 * every controller is built (client-go's layering).
 */
export * from "./types.ts";
export { Informer, type InformerHandlers, type InformerOptions } from "./informer.ts";
export { WorkQueue, runWorkers } from "./workqueue.ts";
