/** DefaultBinder: binds the pod by creating a Binding (pods/binding) naming the node. */
import { BINDINGS } from "../api.ts";
import type { BindPlugin, CycleState, Handle } from "../framework.ts";
import type { PodInfo } from "../pod-info.ts";
import { type Result, Status } from "../status.ts";

export class DefaultBinder implements BindPlugin {
  readonly name = "DefaultBinder";

  constructor(private readonly handle: Handle) {}

  async bind(_s: CycleState, pod: PodInfo, node: string): Promise<Result> {
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { namespace: pod.namespace, name: pod.name, uid: pod.pod.metadata?.uid },
      target: { kind: "Node", name: node },
    };
    try {
      await this.handle.client.create(BINDINGS, pod.namespace, binding);
      return null;
    } catch (err) {
      return Status.error(err);
    }
  }
}
