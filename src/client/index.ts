/**
 * The client layer: the Client contract, informers (cached list+watch, shared per process),
 * work queues with rate-limited retries, event recording and leader election, on which every
 * controller is built (client-go's layering).
 */
export * from "./types.ts";
export { Informer, BY_NAMESPACE, BY_OWNER_UID, type IndexFunc, type InformerHandlers, type InformerOptions } from "./informer.ts";
export { SharedInformerFactory, waitForSync, type InformerScope } from "./shared-informers.ts";
export { WorkQueue, runWorkers } from "./workqueue.ts";
export { BucketRateLimiter, ExponentialRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.ts";
export { EventBroadcaster, EVENTS, type EventBroadcasterOptions, type EventRecorder, type EventType } from "./events/recorder.ts";
export { SeriesBroadcaster, EVENTS_V1, type SeriesBroadcasterOptions, type SeriesRecorder } from "./events/series-recorder.ts";
export { LeaderElector, LEASES, LEASE_DURATION_MS, RENEW_DEADLINE_MS, RETRY_PERIOD_MS, type LeaderElectionConfig } from "./leader-election.ts";
