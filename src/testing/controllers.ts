/**
 * Server arguments for end-to-end tests of the API itself: only the controllers those tests
 * were written against run (garbage collector and namespace controller), so workload
 * controllers do not add ReplicaSets, pods, events or status writes to what they check.
 * Without the service account controller no namespace gets its "default" account, so the
 * ServiceAccount admission plugin is off too (as in upstream's integration test server).
 */
const NO_SERVICE_ACCOUNT_ADMISSION = ["--kube-apiserver-arg", "disable-admission-plugins=ServiceAccount"];
export const API_CONTROLLERS_ONLY = ["--kube-controller-manager-arg", "controllers=garbagecollector,namespace", ...NO_SERVICE_ACCOUNT_ADMISSION];

/** The same without the garbage collector (tests that need it stopped). */
export const NAMESPACE_CONTROLLER_ONLY = ["--kube-controller-manager-arg", "controllers=namespace", ...NO_SERVICE_ACCOUNT_ADMISSION];
