/**
 * Key syntaxes outside names.ts: ConfigMap/Secret data keys and HTTP header names, worded as
 * k8s.io/apimachinery/pkg/util/validation words them.
 */
import { DNS1123_SUBDOMAIN_MAX } from "./names.ts";

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;

/** Keys of ConfigMap/Secret data: file names, so no path tricks. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!CONFIG_KEY.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (value === ".") errs.push("must not be '.'");
  else if (value === "..") errs.push("must not be '..'");
  else if (value.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

export function isHTTPHeaderName(value: string): string[] {
  return HTTP_HEADER_NAME.test(value)
    ? []
    : ["a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"];
}
