/**
 * spec.conversion (upstream's validateCustomResourceConversion, with the webhook URL, service
 * and CA bundle checks of apiserver's util/webhook). Paths are the internal type's
 * (spec.conversion.webhookClientConfig, spec.conversion.conversionReviewVersions), as
 * upstream reports them.
 */
import { X509Certificate } from "node:crypto";
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceConversion, ServiceReference } from "../types.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from "../../validation/names.ts";
import { goStrings, invalidRendered } from "./go-values.ts";

const ACCEPTED_REVIEW_VERSIONS = ["v1", "v1beta1"];
const URL_FORM = "; desired format: https://host[/path]";

export interface ConversionOptions {
  requireRecognizedReviewVersion: boolean;
  allowInvalidCABundle: boolean;
}

export function validateConversion(conversion: CustomResourceConversion | undefined, path: FieldPath, opts: ConversionOptions): FieldError[] {
  if (!conversion) return [];
  const errs: FieldError[] = [];
  const strategy = conversion.strategy ?? "";
  if (strategy === "") errs.push(field.required(path.child("strategy"), ""));
  else if (strategy !== "None" && strategy !== "Webhook") errs.push(field.notSupported(path.child("strategy"), strategy, ["None", "Webhook"]));
  const clientConfig = conversion.webhook?.clientConfig;
  const reviewVersions = conversion.webhook?.conversionReviewVersions ?? [];
  if (strategy === "Webhook") {
    const cc = path.child("webhookClientConfig");
    if (!clientConfig) errs.push(field.required(cc, "required when strategy is set to Webhook"));
    else {
      if ((clientConfig.url === undefined) === (clientConfig.service === undefined)) errs.push(field.required(cc, "exactly one of url or service is required"));
      else if (clientConfig.url !== undefined) errs.push(...validateWebhookUrl(clientConfig.url, cc.child("url")));
      else errs.push(...validateWebhookService(clientConfig.service!, cc.child("service")));
      if (clientConfig.caBundle && !opts.allowInvalidCABundle) errs.push(...validateCaBundle(clientConfig.caBundle, cc.child("caBundle")));
    }
    errs.push(...validateReviewVersions(reviewVersions, opts.requireRecognizedReviewVersion, path.child("conversionReviewVersions")));
  } else {
    if (clientConfig) errs.push(field.forbidden(path.child("webhookClientConfig"), "should not be set when strategy is not set to Webhook"));
    if (reviewVersions.length > 0) errs.push(field.forbidden(path.child("conversionReviewVersions"), "should not be set when strategy is not set to Webhook"));
  }
  return errs;
}

function validateReviewVersions(versions: string[], requireRecognized: boolean, path: FieldPath): FieldError[] {
  if (versions.length === 0) return [field.required(path, "")];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(field.invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const problem of isDNS1035Label(v)) errs.push(field.invalid(path.index(i), v, problem));
  });
  if (requireRecognized && !versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v))) {
    errs.push(invalidRendered(String(path), goStrings(versions), `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(", ")}`));
  }
  return errs;
}

/** Whether an old CRD's review versions name one the server understands (or none at all). */
export function hasRecognizedReviewVersionOrNone(conversion: CustomResourceConversion | undefined): boolean {
  const versions = conversion?.webhook?.conversionReviewVersions ?? [];
  return versions.length === 0 || versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v));
}

function validateWebhookUrl(raw: string, path: FieldPath): FieldError[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    return [field.required(path, `url must be a valid URL: ${(err as Error).message}${URL_FORM}`)];
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

function validateWebhookService(service: ServiceReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!service.name) errs.push(field.required(path.child("name"), "service name is required"));
  if (!service.namespace) errs.push(field.required(path.child("namespace"), "service namespace is required"));
  const port = service.port ?? 443;
  const portProblems = isValidPortNum(port);
  if (portProblems.length > 0) errs.push(field.invalid(path.child("port"), port, `port is not valid: ${portProblems.join(", ")}`));
  const urlPath = service.path;
  if (urlPath === undefined || urlPath === "/" || urlPath === "") return errs;
  if (urlPath === "//") return [...errs, field.invalid(path.child("path"), urlPath, "segment[0] may not be empty")];
  if (!urlPath.startsWith("/")) errs.push(field.invalid(path.child("path"), urlPath, "must start with a '/'"));
  let check = urlPath.slice(1);
  if (check.endsWith("/")) check = check.slice(0, -1);
  check.split("/").forEach((step, i) => {
    if (step.length === 0) {
      errs.push(field.invalid(path.child("path"), urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const problem of isDNS1123Subdomain(step)) errs.push(field.invalid(path.child("path"), urlPath, `segment[${i}]: ${problem}`));
  });
  return errs;
}

/** A CA bundle (base64 on the wire) must hold at least one PEM certificate. */
export function caBundleProblem(caBundle: string): string | undefined {
  const pem = Buffer.from(caBundle, "base64").toString("latin1");
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const parsed = blocks.filter((b) => {
    try {
      new X509Certificate(b);
      return true;
    } catch {
      return false;
    }
  });
  return parsed.length > 0 ? undefined : "unable to load root certificates: unable to parse bytes as PEM block";
}

function validateCaBundle(caBundle: string, path: FieldPath): FieldError[] {
  const problem = caBundleProblem(caBundle);
  return problem ? [field.invalid(path, caBundle, problem)] : [];
}
