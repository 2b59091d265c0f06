/**
 * The bootstrap token cleaner (kube-controller-manager's "tokencleaner"): expired bootstrap
 * tokens (kube-system Secrets of type bootstrap.kubernetes.io/token whose `expiration` passed)
 * are deleted. The authenticator refuses them already; this only tidies up.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isApiError, SECRETS } from "../common/types.ts";

export const BOOTSTRAP_TOKEN_TYPE = "bootstrap.kubernetes.io/token";

function expiration(secret: KubeObject): number | undefined {
  const v = (secret as { data?: Record<string, string> }).data?.expiration;
  if (!v) return undefined;
  const t = Date.parse(Buffer.from(v, "base64").toString("utf8"));
  return Number.isNaN(t) ? 0 : t;
}

export class BootstrapTokenCleaner extends KeyedController {
  readonly name = "token-cleaner";
  private readonly secrets: Informer;

  constructor(ctx: ControllerContext) {
    super(ctx, undefined, 1);
    const enqueue = (obj: KubeObject) => this.queue.add(obj.metadata?.name ?? "");
    this.secrets = this.watch(ctx.informers.informer(SECRETS, { namespace: "kube-system", fieldSelector: `type=${BOOTSTRAP_TOKEN_TYPE}` }), { add: enqueue, update: (_, o) => enqueue(o) });
  }

  protected async sync(name: string): Promise<void> {
    const secret = this.secrets.get(`kube-system/${name}`);
    if (!secret || secret.metadata?.deletionTimestamp) return;
    const exp = expiration(secret);
    if (exp === undefined) return;
    const left = exp - this.clock.now();
    if (left > 0) return this.enqueueAfter(name, left + 1000);
    try {
      await this.ctx.client.delete(SECRETS, "kube-system", name, { preconditions: { uid: secret.metadata?.uid } });
      this.log.info("deleted expired bootstrap token", { secret: name });
    } catch (err) {
      if (!isApiError(err, 404) && !isApiError(err, 409)) throw err;
    }
  }
}
