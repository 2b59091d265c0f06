/**
 * The Job controller's writes to pods: the shared PodControl's creates and deletes (with their
 * events), plus what only Jobs do — the tracking finalizer on every pod, removed once the pod is
 * counted, and adoption that adds it to pods the Job claims.
 */
import type { Client, EventRecorder } from "../../client/index.ts";
import type { Job, Pod } from "../common/types.ts";
import { PodControl, podFromTemplate } from "../common/pod-control.ts";
import { controllerRef, isApiError, PODS } from "../common/types.ts";
import { JOB_TRACKING_FINALIZER } from "./job-pods.ts";

type PodTemplate = NonNullable<NonNullable<Job["spec"]>["template"]>;

export class JobPodControl {
  private readonly control: PodControl;

  constructor(
    private readonly client: Client,
    recorder: EventRecorder,
  ) {
    this.control = new PodControl(client, recorder);
  }

  create(job: Job, template: PodTemplate, generateName: string): Promise<Pod> {
    return this.control.create(job, podFromTemplate(template, job, controllerRef(job, "batch/v1", "Job"), generateName));
  }

  /** Deletes with the pod's own grace period; a pod already gone counts as deleted. */
  delete(job: Job, pod: Pod): Promise<void> {
    return this.control.delete(job, pod.metadata!.namespace!, pod.metadata!.name!);
  }

  /** Removes the tracking finalizer (a pod already gone has none). */
  async removeTrackingFinalizer(pod: Pod): Promise<void> {
    if (!(pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) return;
    try {
      await this.client.patch(PODS, pod.metadata!.namespace!, pod.metadata!.name!, "application/strategic-merge-patch+json", {
        metadata: { "$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
  }

  /** Makes the Job the pod's controller and adds the tracking finalizer (upstream's AdoptPod for Jobs). */
  async adopt(job: Job, pod: Pod): Promise<Pod> {
    const patch = { metadata: { ownerReferences: [controllerRef(job, "batch/v1", "Job")], uid: pod.metadata?.uid, finalizers: [JOB_TRACKING_FINALIZER] } };
    return (await this.client.patch(PODS, pod.metadata!.namespace!, pod.metadata!.name!, "application/strategic-merge-patch+json", patch)) as Pod;
  }

  /** Drops the Job's owner reference from a pod that no longer matches its selector. */
  async release(job: Job, pod: Pod): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: "delete", uid: job.metadata?.uid }], uid: pod.metadata?.uid } };
    try {
      await this.client.patch(PODS, pod.metadata!.namespace!, pod.metadata!.name!, "application/strategic-merge-patch+json", patch);
    } catch (err) {
      if (!isApiError(err, 404) && !isApiError(err, 422)) throw err;
    }
  }
}
