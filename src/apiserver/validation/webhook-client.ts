/**
 * How a webhook is reached, checked the same way for admission webhooks and CRD conversion
 * webhooks (upstream's shared k8s.io/apiserver/pkg/util/webhook validation): an https URL or a
 * service reference, and the list of review versions the webhook understands.
 */
import type { FieldError } from "../api/errors.ts";
import { field, invalidEach, type FieldPath } from "./field.ts";
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from "./names.ts";

const URL_FORM = "; desired format: https://host[/path]";

/** upstream's webhook.ValidateWebhookURL with https required. */
export function validateWebhookUrl(text: string, path: FieldPath): FieldError[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Go's url.Parse takes most such text as a relative reference: then it has no https scheme and no host.
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1] ?? "";
    const errs: FieldError[] = [];
    if (scheme !== "https") errs.push(field.invalid(path, scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
    return [...errs, field.invalid(path, "", `host must be specified${URL_FORM}`)];
  }
  const errs: FieldError[] = [];
  const scheme = url.protocol.replace(/:$/, "");
  if (scheme !== "https") errs.push(field.invalid(path, scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  if (!url.host) errs.push(field.invalid(path, url.host, `host must be specified${URL_FORM}`));
  if (url.username || url.password) errs.push(field.invalid(path, url.password ? `${url.username}:${url.password}` : url.username, "user information is not permitted in the URL"));
  if (url.hash.length > 1) errs.push(field.invalid(path, url.hash.slice(1), "fragments are not permitted in the URL"));
  if (url.search.length > 1) errs.push(field.invalid(path, url.search.slice(1), "query parameters are not permitted in the URL"));
  return errs;
}

export interface WebhookServiceReference {
  name?: string;
  namespace?: string;
  port?: number | null;
  path?: string | null;
}

/** upstream's webhook.ValidateWebhookService: name, namespace, port (443 by default), and a path of DNS-subdomain segments. */
export function validateWebhookService(service: WebhookServiceReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!service.name) errs.push(field.required(path.child("name"), "service name is required"));
  if (!service.namespace) errs.push(field.required(path.child("namespace"), "service namespace is required"));
  const port = service.port ?? 443;
  const portProblems = isValidPortNum(port);
  if (portProblems.length > 0) errs.push(field.invalid(path.child("port"), port, `port is not valid: ${portProblems.join(", ")}`));
  const urlPath = service.path;
  if (urlPath == null || urlPath === "/" || urlPath === "") return errs;
  const p = path.child("path");
  if (urlPath === "//") return [...errs, field.invalid(p, urlPath, "segment[0] may not be empty")];
  if (!urlPath.startsWith("/")) errs.push(field.invalid(p, urlPath, "must start with a '/'"));
  let rest = urlPath.slice(1);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  rest.split("/").forEach((step, i) => {
    if (!step) errs.push(field.invalid(p, urlPath, `segment[${i}] may not be empty`));
    else for (const problem of isDNS1123Subdomain(step)) errs.push(field.invalid(p, urlPath, `segment[${i}]: ${problem}`));
  });
  return errs;
}

/** Each review version named once, each a DNS-1035 label (the callers add their own required and recognized-version rules). */
export function validateReviewVersionItems(versions: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) errs.push(field.invalid(path.index(i), v, "duplicate version"));
    else errs.push(...invalidEach(path.index(i), v, isDNS1035Label(v)));
    seen.add(v);
  });
  return errs;
}
