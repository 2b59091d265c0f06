/**
 * CertificateSigningRequest validation (upstream pkg/apis/certificates/validation): a signed PEM
 * request, known and distinct usages, a well-formed signerName, consistent conditions and a
 * well-formed issued certificate. Old objects that already break a newer rule may keep doing so
 * (getValidationOptions), and updates may not take conditions away.
 */
import type { FieldError } from "../../api/errors.ts";
import { deepEqual } from "../../registry/object-diff.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, isDNS1123Label, isDNS1123Subdomain } from "../../validation/names.ts";
import { certificateProblem, csrProblem, goBytes } from "./pem-checks.ts";
import type { Csr, CsrCondition } from "./types.ts";

/** upstream's allValidUsages, sorted as sets.List() prints them. */
export const VALID_USAGES = [
  "any",
  "cert sign",
  "client auth",
  "code signing",
  "content commitment",
  "crl sign",
  "data encipherment",
  "decipher only",
  "digital signature",
  "email protection",
  "encipher only",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "key agreement",
  "key encipherment",
  "microsoft sgc",
  "netscape sgc",
  "ocsp signing",
  "s/mime",
  "server auth",
  "signing",
  "timestamping",
];
export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";
const CONDITION_STATUSES = ["False", "True", "Unknown"];
const MIN_EXPIRATION_SECONDS = 600;

export interface CsrValidationOptions {
  allowBothApprovedAndDenied: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowDuplicateUsages: boolean;
  allowUnknownUsages: boolean;
  /** /status may set the certificate, once. */
  allowSettingCertificate: boolean;
  /** /approval may add Approved and Denied conditions. */
  allowSettingApprovalConditions: boolean;
}

export function bytesOf(base64: string | undefined): Uint8Array | undefined {
  return base64 === undefined ? undefined : new Uint8Array(Buffer.from(base64, "base64"));
}

const conditionsOf = (csr: Csr | undefined): CsrCondition[] => csr?.status?.conditions ?? [];
const ofType = (csr: Csr | undefined, type: string) => conditionsOf(csr).filter((c) => c.type === type);

function hasDuplicates(values: string[]): boolean {
  return new Set(values).size !== values.length;
}

/** upstream's getValidationOptions: what the stored object already breaks stays allowed. */
export function validationOptions(next: Csr, old?: Csr): CsrValidationOptions {
  const oldCert = old?.status?.certificate ?? "";
  return {
    allowBothApprovedAndDenied: ofType(old, "Approved").length > 0 && ofType(old, "Denied").length > 0,
    allowLegacySignerName: old?.spec?.signerName === LEGACY_UNKNOWN_SIGNER,
    allowDuplicateConditionTypes: hasDuplicates(conditionsOf(old).map((c) => c.type)),
    allowEmptyConditionType: conditionsOf(old).some((c) => !c.type),
    allowArbitraryCertificate: old !== undefined && ((next.status?.certificate ?? "") === oldCert || certificateProblem(bytesOf(oldCert)!) !== undefined),
    allowDuplicateUsages: hasDuplicates(old?.spec?.usages ?? []),
    allowUnknownUsages: (old?.spec?.usages ?? []).some((u) => !VALID_USAGES.includes(u)),
    allowSettingCertificate: false,
    allowSettingApprovalConditions: false,
  };
}

/** upstream's ValidateSignerName. */
export function validateSignerName(path: FieldPath, signerName: string): FieldError[] {
  if (!signerName) return [field.required(path)];
  const segments = signerName.split("/");
  if (segments.length !== 2) return [field.invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, name] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > DNS1123_SUBDOMAIN_MAX) errs.push(field.tooLong(path, DNS1123_SUBDOMAIN_MAX));
  const labels = domain.split(".");
  for (const label of labels) {
    const problems = isDNS1123Label(label);
    if (problems.length > 0) {
      // The first bad label is enough: the rest would only repeat the message.
      errs.push(...problems.map((p) => field.invalid(path, domain, `validating label ${JSON.stringify(label)}: ${p}`)));
      break;
    }
  }
  if (labels.length < 2) errs.push(field.invalid(path, domain, "should be a domain with at least two segments separated by dots"));
  for (const part of name.split(".")) {
    const problems = isDNS1123Subdomain(part);
    if (problems.length > 0) {
      errs.push(...problems.map((p) => field.invalid(path, name, `validating component ${JSON.stringify(part)}: ${p}`)));
      break;
    }
  }
  const max = DNS1123_SUBDOMAIN_MAX + (DNS1123_SUBDOMAIN_MAX + DNS1123_LABEL_MAX + 1) + 1;
  if (signerName.length > max) errs.push(field.tooLong(path, max));
  return errs;
}

function validateConditions(csr: Csr, opts: CsrValidationOptions): FieldError[] {
  const path = FieldPath.root("status").child("conditions");
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const p = path.index(i);
    if (!opts.allowEmptyConditionType && !c.type) errs.push(field.required(p.child("type")));
    if (!CONDITION_STATUSES.includes(c.status ?? "")) errs.push(field.notSupported(p.child("status"), c.status ?? "", CONDITION_STATUSES));
    if (!opts.allowDuplicateConditionTypes) {
      if (seen.has(c.type)) errs.push(field.duplicate(p.child("type"), c.type));
      seen.add(c.type);
    }
    if (c.type === "Approved" || c.type === "Denied" || c.type === "Failed") {
      if (c.type === "Approved") approved = true;
      if (c.type === "Denied") denied = true;
      if (c.status !== "True") errs.push(field.invalid(p.child("status"), c.status ?? "", `${c.type} condition may only be set to True`));
    }
  });
  if (!opts.allowBothApprovedAndDenied && approved && denied) errs.push(field.invalid(path, conditionsOf(csr), "Approved and Denied conditions are mutually exclusive"));
  return errs;
}

/** upstream's validateCertificateSigningRequest (the object metadata is checked by the store). */
export function validateCsr(csr: Csr, opts: CsrValidationOptions): FieldError[] {
  const spec = csr.spec ?? {};
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  const request = bytesOf(spec.request);
  const problem = csrProblem(request ?? new Uint8Array(0));
  // The bad value is the request bytes, which upstream quotes as Go prints a []byte.
  if (problem) errs.push({ type: "FieldValueInvalid", field: String(path.child("request")), detail: `${goBytes(request)}: ${problem}` });
  const usages = spec.usages ?? [];
  if (usages.length === 0) errs.push(field.required(path.child("usages")));
  if (!opts.allowUnknownUsages) {
    usages.forEach((u, i) => {
      if (!VALID_USAGES.includes(u)) errs.push(field.notSupported(path.child("usages").index(i), u, VALID_USAGES));
    });
  }
  if (!opts.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(field.duplicate(path.child("usages").index(i), u));
      seen.add(u);
    });
  }
  const signer = spec.signerName ?? "";
  if (!opts.allowLegacySignerName && signer === LEGACY_UNKNOWN_SIGNER) errs.push(field.invalid(path.child("signerName"), signer, "the legacy signerName is not allowed via this API version"));
  else errs.push(...validateSignerName(path.child("signerName"), signer));
  if (spec.expirationSeconds != null && spec.expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(field.invalid(path.child("expirationSeconds"), spec.expirationSeconds, "may not specify a duration less than 600 seconds (10 minutes)"));
  }
  errs.push(...validateConditions(csr, opts));
  if (!opts.allowArbitraryCertificate) {
    const certProblem = certificateProblem(bytesOf(csr.status?.certificate) ?? new Uint8Array(0));
    if (certProblem) errs.push(field.invalid(FieldPath.root("status").child("certificate"), "<certificate data>", certProblem));
  }
  return errs;
}

export type CsrUpdate = "update" | "status" | "approval";

/**
 * upstream's validateCertificateSigningRequestUpdate for the main resource, /status (may set the
 * certificate) and /approval (may add Approved or Denied).
 */
export function validateCsrUpdate(next: Csr, old: Csr, kind: CsrUpdate): FieldError[] {
  const opts = validationOptions(next, old);
  opts.allowSettingCertificate = kind === "status";
  opts.allowSettingApprovalConditions = kind === "approval";
  const errs = validateCsr(next, opts);
  const conditionsPath = FieldPath.root("status").child("conditions");
  for (const t of ["Approved", "Denied", "Failed"]) {
    if (ofType(next, t).length < ofType(old, t).length) errs.push(field.forbidden(conditionsPath, `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ["Approved", "Denied"]) {
      const before = ofType(old, t);
      const after = ofType(next, t);
      if (after.length > before.length) errs.push(field.forbidden(conditionsPath, `updates may not add a condition of type ${JSON.stringify(t)}`));
      else if (after.length === before.length && !deepEqual(after, before)) errs.push(field.forbidden(conditionsPath, `updates may not modify a condition of type ${JSON.stringify(t)}`));
    }
  }
  const cert = next.status?.certificate ?? "";
  const oldCert = old.status?.certificate ?? "";
  if (cert !== oldCert) {
    const certPath = FieldPath.root("status").child("certificate");
    if (!opts.allowSettingCertificate) errs.push(field.forbidden(certPath, "updates may not set certificate content"));
    else if (oldCert) errs.push(field.forbidden(certPath, "updates may not modify existing certificate content"));
  }
  return errs;
}
