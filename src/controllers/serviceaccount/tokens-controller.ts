/**
 * The service account token controller (kube-controller-manager's "serviceaccount-token-controller"):
 * a Secret of type kubernetes.io/service-account-token naming an account in its
 * kubernetes.io/service-account.name annotation gets a legacy token for that account, the
 * cluster CA and the namespace; a Secret whose account is gone (or was replaced: another UID) is
 * deleted, as are an account's token Secrets when the account is deleted. Since Kubernetes 1.24
 * nothing creates such Secrets automatically: users make them, this controller fills them.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isApiError, SECRETS, SERVICE_ACCOUNTS } from "../common/types.ts";

export const SA_TOKEN_TYPE = "kubernetes.io/service-account-token";
export const SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";
export const SA_UID_ANNOTATION = "kubernetes.io/service-account.uid";

export interface TokensControllerOptions {
  /** Signs a legacy token for the account (namespace, name, uid) held by the Secret `secretName`. */
  legacyToken(namespace: string, account: { name: string; uid: string }, secretName: string): string;
  /** The cluster CA bundle (ca.crt of every token Secret). */
  rootCa: string;
}

interface TokenSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export class ServiceAccountTokensController extends KeyedController {
  readonly name = "serviceaccount-token-controller";
  private readonly secrets: Informer;
  private readonly accounts: Informer;

  constructor(
    ctx: ControllerContext,
    private readonly opts: TokensControllerOptions,
  ) {
    super(ctx, undefined, 2);
    const enqueue = (obj: KubeObject) => this.queue.add(`secret/${obj.metadata?.namespace}/${obj.metadata?.name}`);
    this.secrets = this.watch(ctx.informers.informer(SECRETS, { fieldSelector: `type=${SA_TOKEN_TYPE}` }), { add: enqueue, update: (_, o) => enqueue(o) });
    const enqueueAccount = (obj: KubeObject) => this.queue.add(`account/${obj.metadata?.namespace}/${obj.metadata?.name}`);
    this.accounts = this.watch(ctx.informers.informer(SERVICE_ACCOUNTS), { add: enqueueAccount, update: (_, o) => enqueueAccount(o), delete: enqueueAccount });
  }

  protected async sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split("/") as [string, string, string];
    if (kind === "account") return this.syncAccount(namespace, name);
    return this.syncSecret(namespace, name);
  }

  /** An account's Secrets are looked at again (made again: filled; gone: deleted). */
  private async syncAccount(namespace: string, name: string): Promise<void> {
    for (const s of this.secrets.listIn(namespace)) if (s.metadata?.annotations?.[SA_NAME_ANNOTATION] === name) await this.syncSecret(namespace, s.metadata!.name!);
  }

  private async syncSecret(namespace: string, name: string): Promise<void> {
    const secret = this.secrets.get(`${namespace}/${name}`) as TokenSecret | undefined;
    if (!secret || secret.type !== SA_TOKEN_TYPE || secret.metadata?.deletionTimestamp) return;
    const annotations = secret.metadata?.annotations ?? {};
    const saName = annotations[SA_NAME_ANNOTATION];
    const account = saName ? this.accounts.get(`${namespace}/${saName}`) : undefined;
    const wantUid = annotations[SA_UID_ANNOTATION];
    if (!account || (wantUid && wantUid !== account.metadata?.uid)) {
      // The account is gone (or is another one now): its token goes too.
      try {
        await this.ctx.client.delete(SECRETS, namespace, name, { preconditions: { uid: secret.metadata?.uid } });
      } catch (err) {
        if (!isApiError(err, 404) && !isApiError(err, 409)) throw err;
      }
      return;
    }
    const uid = account.metadata?.uid ?? "";
    const data = secret.data ?? {};
    if (data.token && data["ca.crt"] && data.namespace && wantUid === uid) return;
    const next: TokenSecret = structuredClone(secret);
    next.metadata = { ...next.metadata, annotations: { ...annotations, [SA_UID_ANNOTATION]: uid } };
    next.data = { ...data, "ca.crt": b64(this.opts.rootCa), namespace: b64(namespace), token: data.token ?? b64(this.opts.legacyToken(namespace, { name: saName!, uid }, name)) };
    try {
      await this.ctx.client.update(SECRETS, namespace, next);
    } catch (err) {
      // A newer version comes through the informer and is synced again.
      if (!isApiError(err, 409) && !isApiError(err, 404)) throw err;
    }
  }
}
