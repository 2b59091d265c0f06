/**
 * Names that only have to be usable as one URL path segment (upstream's
 * apimachinery path.IsValidPathSegmentName): RBAC names, the kind and name of typed
 * references, admission rule resource names; and generateName prefixes (IsValidPathSegmentPrefix).
 */

const MAY_NOT_BE = [".", ".."];
const MAY_NOT_CONTAIN = ["/", "%"];

/** The problems with `name` as a path segment, worded as upstream words them. */
export function isValidPathSegmentName(name: string): string[] {
  if (MAY_NOT_BE.includes(name)) return [`may not be '${name}'`];
  return MAY_NOT_CONTAIN.filter((bad) => name.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/** The problems with `prefix` as the start of a path segment (a generateName): only the characters count. */
export function isValidPathSegmentPrefix(prefix: string): string[] {
  return MAY_NOT_CONTAIN.filter((bad) => prefix.includes(bad)).map((bad) => `may not contain '${bad}'`);
}
