/**
 * The scale subresource (autoscaling/v1 Scale) of types that declare one: replicas are read from
 * and written to the paths the definition names, so `kubectl scale` and autoscalers can drive
 * any scalable type, CRDs included.
 */
import type { KubeObject } from "../../api/types.ts";
import type { ScaleSpec } from "../../registry/definition.ts";
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { applyPatch } from "../../patch/index.ts";
import { labelSelectorToString } from "../../selectors/index.ts";
import { pathValue } from "../../resources/printing.ts";
import { decodeObject } from "../negotiate.ts";
import { objectResponse } from "../respond.ts";
import { isDryRun, readBody } from "./call.ts";

function scaleSpecOf(call: Call): ScaleSpec {
  const spec = call.store.def.scale;
  if (!spec) throw errors.notFound({ resource: `${call.info.resource}/scale` });
  return spec;
}

const split = (path: string) => path.replace(/^\./, "").split(".");

export function toScale(obj: KubeObject, spec: ScaleSpec): KubeObject {
  const meta = obj.metadata ?? {};
  const replicas = Number(pathValue(obj, split(spec.specReplicasPath)) ?? 0);
  const status: Record<string, unknown> = { replicas: Number(pathValue(obj, split(spec.statusReplicasPath)) ?? 0) };
  if (spec.labelSelectorPath) {
    const sel = pathValue(obj, split(spec.labelSelectorPath));
    if (typeof sel === "string") status.selector = sel;
    else if (sel && typeof sel === "object") {
      // A metav1.LabelSelector has matchLabels/matchExpressions; a plain map (ReplicationController) is matchLabels.
      const isSelectorObject = "matchLabels" in sel || "matchExpressions" in sel;
      const selector = isSelectorObject ? sel : { matchLabels: sel };
      status.selector = labelSelectorToString(selector as Parameters<typeof labelSelectorToString>[0]);
    }
  }
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas },
    status,
  };
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) cur = (cur[seg] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]!] = value;
}

function repRespond(call: Call, obj: KubeObject): Response {
  return objectResponse(toScale(obj, scaleSpecOf(call)), { ...call.rep, output: call.rep.output.kind === "yaml" ? call.rep.output : { kind: "json" } });
}

export async function getScale(call: Call): Promise<Response> {
  scaleSpecOf(call);
  return repRespond(call, await call.store.get(call.info.namespace, call.info.name));
}

/** Writes `replicas` (from a Scale the client sent, checked like any object) into the target. */
async function writeReplicas(call: Call, scaleFor: (current: KubeObject) => KubeObject): Promise<Response> {
  const spec = scaleSpecOf(call);
  const { object } = await call.store.readModifyWrite(call.info.namespace, call.info.name, call.ctx, { dryRun: isDryRun(call), subresource: "scale" }, (current) => {
    if (!current) throw errors.notFound(call.store.target(call.info.name));
    const scale = scaleFor(current);
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid({ group: "autoscaling", kind: "Scale", name: call.info.name }, [{ type: "FieldValueInvalid", field: "spec.replicas", value: replicas, detail: "must be greater than or equal to 0" }]);
    }
    const next = structuredClone(current);
    setPath(next as Record<string, unknown>, split(spec.specReplicasPath), replicas);
    const rv = scale.metadata?.resourceVersion;
    next.metadata = { ...next.metadata, resourceVersion: rv || current.metadata?.resourceVersion };
    return next;
  });
  return repRespond(call, object);
}

export async function putScale(call: Call): Promise<Response> {
  const body = decodeObject(call.req.headers.get("content-type"), await readBody(call.req));
  if (body.kind && body.kind !== "Scale") throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Scale)`);
  return writeReplicas(call, () => body);
}

export async function patchScale(call: Call, contentType: string, patch: Uint8Array): Promise<Response> {
  const spec = scaleSpecOf(call);
  return writeReplicas(call, (current) => applyPatch(contentType, toScale(current, spec), patch, { group: "autoscaling", kind: "Scale" }) as KubeObject);
}
