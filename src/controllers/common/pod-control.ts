/**
 * Creating and deleting pods for a controller (upstream's RealPodControl): pods from the
 * controller's template carrying its controller reference, with the events `kubectl describe`
 * shows (SuccessfulCreate "Created pod: x", FailedCreate "Error creating: …", and the deletes).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, EventRecorder } from "../../client/index.ts";
import type { OwnerReference, Pod, PodTemplateSpec } from "./types.ts";
import { PODS, isApiError } from "./types.ts";

/** The pod a template makes (controller.GetPodFromTemplate); the server completes the name. */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference, generateName?: string): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: owner.metadata?.namespace,
      ...(generateName ? { generateName } : {}),
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: structuredClone(template.spec) as Pod["spec"],
  };
  return pod;
}

/** A namespace being deleted refuses new pods: no use reporting or retrying that. */
export function isNamespaceTerminating(err: unknown): boolean {
  const details = (err as { details?: { causes?: Array<{ reason?: string }> } }).details;
  return isApiError(err, 403) && !!details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  async create(owner: KubeObject, pod: Pod): Promise<Pod> {
    try {
      const created = (await this.client.create(PODS, owner.metadata?.namespace ?? "", pod)) as Pod;
      this.recorder.event(owner, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata?.name}`);
      return created;
    } catch (err) {
      if (!isNamespaceTerminating(err)) this.recorder.event(owner, "Warning", "FailedCreate", `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** Deletes a pod; one already gone counts as deleted. */
  async delete(owner: KubeObject, namespace: string, name: string): Promise<void> {
    try {
      await this.client.delete(PODS, namespace, name);
      this.recorder.event(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${name}`);
    } catch (err) {
      if (isApiError(err, 404)) return;
      this.recorder.event(owner, "Warning", "FailedDelete", `Error deleting: ${messageOf(err)}`);
      throw err;
    }
  }
}
