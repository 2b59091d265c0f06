/**
 * List continuation tokens, shaped like upstream's (base64 of {"v","rv","start"}): the revision
 * the list is pinned to and the key (relative to the listed prefix) to start from.
 */
import { ApiError, errors, type Status } from "../api/errors.ts";

const TOKEN_VERSION = "meta.k8s.io/v1";
/** The token revision upstream hands out with a 410: continue the list at the latest revision. */
export const CONTINUE_AT_LATEST = -1;

export interface ContinueToken {
  rv: number;
  /** Key to start from, relative to the list prefix. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: token.rv, start: token.start }), "latin1").toString("base64url");
}

export function decodeContinue(text: string): ContinueToken {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("latin1"));
  } catch {
    throw errors.badRequest(`invalid continue token: ${text}`);
  }
  const rv = parsed.rv;
  if (parsed.v !== TOKEN_VERSION || typeof rv !== "number" || typeof parsed.start !== "string" || (rv <= 0 && rv !== CONTINUE_AT_LATEST)) {
    throw errors.badRequest(`invalid continue token: ${text}`);
  }
  if (parsed.start.includes("..") || parsed.start.startsWith("/")) throw errors.badRequest(`invalid continue token: ${text}`);
  return { rv, start: parsed.start };
}

/** A 410 whose Status carries, as upstream's does, a token for the rest of the list at the latest revision. */
class ContinueExpired extends ApiError {
  constructor(readonly token: string) {
    super(
      410,
      "Expired",
      "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    );
  }

  override toStatus(): Status {
    // client-node's ListMeta type spells the field `_continue`; the wire spells it `continue`.
    return { ...super.toStatus(), metadata: { continue: this.token } as Status["metadata"] };
  }
}

/** Upstream's 410 for a continuation whose revision has been compacted; `start` is where the refused page began. */
export function continueExpired(start: string): ApiError {
  return new ContinueExpired(encodeContinue({ rv: CONTINUE_AT_LATEST, start }));
}
