/**
 * The server side of `kts secrets-encrypt` (k3s serves the same on /v1-k3s/encrypt/*):
 * GET /v1-kts/encrypt/status answers the status; PUT /v1-kts/encrypt/config with
 * {"action": "prepare"|"rotate"|"reencrypt"|"rotate_keys"|"enable"|"disable", "force", "skip"}
 * carries out an action. Only cluster administrators (system:masters) may call them.
 */
import type { UserInfo } from "../registry/definition.ts";
import { errors } from "../api/errors.ts";
import type { EncryptAction, EncryptionManager } from "./manager.ts";

export const ENCRYPT_STATUS_PATH = "/v1-kts/encrypt/status";
export const ENCRYPT_CONFIG_PATH = "/v1-kts/encrypt/config";
const ACTIONS: EncryptAction[] = ["prepare", "rotate", "reencrypt", "rotate_keys", "enable", "disable"];

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
}

/** A route handler for the API server's app: a Response for the encryption paths, undefined for others. */
export function encryptionRoutes(manager: EncryptionManager) {
  return async (req: Request, url: URL, user: UserInfo): Promise<Response | undefined> => {
    if (url.pathname !== ENCRYPT_STATUS_PATH && url.pathname !== ENCRYPT_CONFIG_PATH) return undefined;
    if (!user.groups.includes("system:masters")) throw errors.forbidden({}, `User "${user.username}" cannot ${req.method.toLowerCase()} path "${url.pathname}"`);
    if (url.pathname === ENCRYPT_STATUS_PATH) {
      if (req.method !== "GET") throw errors.badRequest("GET only");
      return json(manager.status());
    }
    if (req.method !== "PUT") throw errors.badRequest("PUT only");
    const body = (await req.json().catch(() => ({}))) as { action?: string; force?: boolean; skip?: boolean };
    if (!ACTIONS.includes(body.action as EncryptAction)) throw errors.badRequest(`unknown action ${JSON.stringify(body.action)}; one of ${ACTIONS.join(", ")}`);
    try {
      return json(await manager.act(body.action as EncryptAction, { force: body.force, skip: body.skip }));
    } catch (err) {
      throw errors.badRequest((err as Error).message);
    }
  };
}
