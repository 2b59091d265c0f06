/**
 * spec.conversion (upstream's validateCustomResourceConversion, with the CA bundle check; the
 * webhook URL and service checks are apiserver's util/webhook ones, in validation/webhook-client.ts). Paths are the internal type's
 * (spec.conversion.webhookClientConfig, spec.conversion.conversionReviewVersions), as
 * upstream reports them.
 */
import { X509Certificate } from "node:crypto";
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceConversion } from "../types.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { validateReviewVersionItems, validateWebhookService, validateWebhookUrl } from "../../validation/webhook-client.ts";
import { goStrings, invalidRendered } from "./go-values.ts";

const ACCEPTED_REVIEW_VERSIONS = ["v1", "v1beta1"];

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
  const errs = validateReviewVersionItems(versions, path);
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
