/**
 * What every controller is built from (kube-controller-manager's ControllerContext): the client,
 * the process's shared informers, an event recorder per controller, and a logger.
 */
import type { Client, EventRecorder, SharedInformerFactory } from "../client/index.ts";
import type { Logger } from "../log/index.ts";

export interface ControllerContext {
  client: Client;
  informers: SharedInformerFactory;
  /** Events with `component` as their source ("deployment-controller"). */
  recorder(component: string): EventRecorder;
  log: Logger;
}
