/**
 * Writing a controller's status: through the status subresource, onto a copy of the object as
 * last read; on a conflict the object is read again and the status written once more (the
 * status is the controller's own, so the newer copy's status is safe to replace).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, ResourceRef } from "../../client/index.ts";
import { isApiError } from "./types.ts";

export async function writeStatus(client: Client, ref: ResourceRef, obj: KubeObject, status: unknown): Promise<KubeObject | undefined> {
  const ns = obj.metadata?.namespace ?? "";
  let current = obj;
  for (let attempt = 0; ; attempt++) {
    const next = { ...structuredClone(current), status: structuredClone(status) };
    try {
      return await client.update(ref, ns, next, { subresource: "status" });
    } catch (err) {
      if (isApiError(err, 404)) return undefined;
      if (!isApiError(err, 409) || attempt >= 1) throw err;
      try {
        current = await client.get(ref, ns, obj.metadata!.name!);
      } catch (getErr) {
        if (isApiError(getErr, 404)) return undefined;
        throw getErr;
      }
      if (current.metadata?.uid !== obj.metadata?.uid) return undefined;
    }
  }
}
