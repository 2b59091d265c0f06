/**
 * Who a write is recorded as: the `fieldManager` query parameter, or else the start of the
 * User-Agent ("kubectl/v1.32.5 (linux/amd64) ..." -> "kubectl"), as upstream derives it. kubectl
 * always names itself ("kubectl-client-side-apply", "kubectl-edit", ...).
 */
import type { FieldError } from "../../api/errors.ts";

/** Upstream's FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint, closely enough: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return ch === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/** The User-Agent up to its first "/", without unprintable characters, cut to the length limit. */
export function managerFromUserAgent(userAgent: string | null | undefined): string {
  const head = (userAgent ?? "").split("/")[0]!;
  // The usual case, printable ASCII, needs no look at each character.
  if (/^[\x20-\x7e]*$/.test(head)) return head.slice(0, FIELD_MANAGER_MAX_LENGTH);
  let out = "";
  let bytes = 0;
  for (const ch of head) {
    if (!isPrint(ch)) continue;
    const size = Buffer.byteLength(ch);
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** The manager a write is recorded under. */
export function managerOrUserAgent(fieldManager: string | null | undefined, userAgent: string | null | undefined): string {
  return fieldManager ? fieldManager : managerFromUserAgent(userAgent);
}

/** Upstream's ValidateFieldManager: at most 128 bytes, printable characters only. */
export function fieldManagerProblems(fieldManager: string): FieldError[] {
  const problems: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) problems.push({ type: "FieldValueTooLong", field: "fieldManager", detail: `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes` });
  let position = 0;
  for (const ch of fieldManager) {
    if (!isPrint(ch)) {
      const code = ch.codePointAt(0)!;
      problems.push({ type: "FieldValueInvalid", field: "fieldManager", value: fieldManager, detail: `invalid character U+${code.toString(16).toUpperCase().padStart(4, "0")} (at position ${position})` });
    }
    position += Buffer.byteLength(ch);
  }
  return problems;
}

/**
 * The manager of a write made inside the server (controllers, bootstrap), which sends no
 * User-Agent: the component upstream would run it in, named after the identity it acts as.
 */
export function inProcessManager(username: string): string {
  if (username === "system:apiserver") return "kube-apiserver";
  if (username.startsWith("system:node:")) return "kubelet";
  if (username.startsWith("system:serviceaccount:")) return "kube-controller-manager";
  return username.startsWith("system:") ? username.slice("system:".length) : username;
}
