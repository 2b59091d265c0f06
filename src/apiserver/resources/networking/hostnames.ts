/**
 * Host-name syntaxes of the networking types that the shared validators lack: wildcard DNS
 * subdomains ("*.example.com", RFC 1034 4.3.3) and domain-prefixed paths ("example.com/ingress").
 * Messages are upstream's (k8s.io/apimachinery/pkg/util/validation).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { DNS1123_SUBDOMAIN_MAX, isDNS1123Subdomain } from "../../validation/names.ts";

const WILDCARD_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!WILDCARD_SUBDOMAIN.test(value)) {
    errs.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

/** A host that may be a wildcard: the wildcard rules when it has a '*', the subdomain rules otherwise. */
export function validateHost(host: string, path: FieldPath): FieldError[] {
  return invalidEach(path, host, host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host));
}

/** upstream's IsDomainPrefixedPath: "<DNS subdomain>/<HTTP path>", each part checked on its own. */
export function validateDomainPrefixedPath(value: string, path: FieldPath): FieldError[] {
  if (!value) return [field.required(path)];
  const slash = value.indexOf("/");
  const host = slash < 0 ? "" : value.slice(0, slash);
  const rest = slash < 0 ? "" : value.slice(slash + 1);
  if (!host || !rest) return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!HTTP_PATH.test(rest)) errs.push(field.invalid(path, rest, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  return errs;
}
