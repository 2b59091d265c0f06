/**
 * What ConfigMaps and Secrets share: base64 payload sizes and the rules of `immutable: true`.
 */
import type { FieldError } from "../../api/errors.ts";
import { field } from "../../validation/field.ts";
import { semanticEqual } from "./semantic.ts";

/** Decoded size of a base64 payload. */
export function base64Size(text: string): number {
  const clean = text.replace(/\s/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/** Whether text is standard base64 (what Go's encoding/json accepts for []byte). */
export function isBase64(text: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text.replace(/[\r\n]/g, ""));
}

/** An immutable object keeps `immutable: true` and its data. */
export function immutableDataErrors(immutable: boolean | undefined, data: object | undefined, oldData: object | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!immutable) errs.push(field.forbidden("immutable", "field is immutable when `immutable` is set"));
  if (!semanticEqual(data ?? {}, oldData ?? {})) errs.push(field.forbidden("data", "field is immutable when `immutable` is set"));
  return errs;
}
