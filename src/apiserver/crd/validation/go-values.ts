/**
 * Upstream prints some bad values of CRD field errors with Go's %#v (the versions list, the
 * stored versions). These render the same shapes; a set pointer prints as an address in Go,
 * which no client can predict, so a fixed one keeps the message's form.
 */
import type { FieldError } from "../../api/errors.ts";
import type { InternalVersion } from "./internal-spec.ts";

const goQuote = (s: string) => JSON.stringify(s);
const ADDRESS = "0xc000010000";
const pointer = (type: string, set: boolean) => `(*${type})(${set ? ADDRESS : "nil"})`;

/** `[]string{"v1"}`, or `[]string(nil)` for an absent list. */
export function goStrings(values: readonly string[] | null | undefined): string {
  return values == null ? "[]string(nil)" : `[]string{${values.map(goQuote).join(", ")}}`;
}

function goVersion(v: InternalVersion): string {
  const columns = v.additionalPrinterColumns
    ? `[]apiextensions.CustomResourceColumnDefinition{${v.additionalPrinterColumns
        .map((c) => `apiextensions.CustomResourceColumnDefinition{Name:${goQuote(c.name ?? "")}, Type:${goQuote(c.type ?? "")}, Format:${goQuote(c.format ?? "")}, Description:${goQuote(c.description ?? "")}, Priority:${c.priority ?? 0}, JSONPath:${goQuote(c.jsonPath ?? "")}}`)
        .join(", ")}}`
    : "[]apiextensions.CustomResourceColumnDefinition(nil)";
  const selectable = v.selectableFields
    ? `[]apiextensions.SelectableField{${v.selectableFields.map((f) => `apiextensions.SelectableField{JSONPath:${goQuote(f.jsonPath ?? "")}}`).join(", ")}}`
    : "[]apiextensions.SelectableField(nil)";
  return (
    `apiextensions.CustomResourceDefinitionVersion{Name:${goQuote(v.name)}, Served:${v.served}, Storage:${v.storage}, Deprecated:${v.deprecated}, ` +
    `DeprecationWarning:${pointer("string", v.deprecationWarning !== undefined)}, Schema:${pointer("apiextensions.CustomResourceValidation", v.schema !== undefined)}, ` +
    `Subresources:${pointer("apiextensions.CustomResourceSubresources", v.subresources !== undefined)}, AdditionalPrinterColumns:${columns}, SelectableFields:${selectable}}`
  );
}

export function goVersions(versions: readonly InternalVersion[]): string {
  return `[]apiextensions.CustomResourceDefinitionVersion{${versions.map(goVersion).join(", ")}}`;
}

/** An Invalid error whose value is already rendered (it travels in the detail, unquoted). */
export function invalidRendered(path: string, rendered: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field: path, detail: `${rendered}: ${detail}` };
}
