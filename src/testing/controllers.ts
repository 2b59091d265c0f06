/**
 * Server arguments for end-to-end tests of the API itself: only the controllers those tests
 * were written against run (garbage collector and namespace controller), so workload
 * controllers do not add ReplicaSets, pods, events or status writes to what they check.
 */
export const API_CONTROLLERS_ONLY = ["--kube-controller-manager-arg", "controllers=garbagecollector,namespace"];

/** The same without the garbage collector (tests that need it stopped). */
export const NAMESPACE_CONTROLLER_ONLY = ["--kube-controller-manager-arg", "controllers=namespace"];
