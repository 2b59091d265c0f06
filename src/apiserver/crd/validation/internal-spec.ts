/**
 * The spec as upstream validates it. kube-apiserver validates CRDs in its internal version,
 * where a schema, subresources, columns or selectable fields that every version shares are
 * lifted to the top level (spec.validation, spec.subresources, ...). Field errors carry those
 * internal paths — a one-version CRD's schema problem reads
 * "spec.validation.openAPIV3Schema...". This view reproduces that lifting.
 */
import type {
  CustomResourceColumnDefinition,
  CustomResourceConversion,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
  CustomResourceValidation,
  SelectableField,
} from "../types.ts";
import { deepEqual } from "../../registry/object-diff.ts";

export interface InternalVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  schema?: CustomResourceValidation;
  subresources?: CustomResourceSubresources;
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: SelectableField[];
}

export interface InternalSpec {
  group: string;
  names: CustomResourceDefinitionNames;
  scope: string;
  /** The first version's name (the internal type still has the v1beta1 `version` field). */
  version: string;
  versions: InternalVersion[];
  validation?: CustomResourceValidation;
  subresources?: CustomResourceSubresources;
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: SelectableField[];
  conversion?: CustomResourceConversion;
  preserveUnknownFields: boolean;
}

/** apimachinery's Semantic.DeepEqual as it matters here: an empty list equals an absent one. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  return deepEqual(a, b);
}

type Lifted = "schema" | "subresources" | "additionalPrinterColumns" | "selectableFields";

/** Whether every version carries the same value of `key` (all absent counts as the same). */
function identical(versions: readonly CustomResourceDefinitionVersion[], key: Lifted): boolean {
  const first = versions[0]?.[key];
  return versions.every((v) => semanticEqual(v[key], first));
}

export function toInternalSpec(spec: CustomResourceDefinitionSpec): InternalSpec {
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const lift = {
    schema: versions.length > 0 && identical(versions, "schema"),
    subresources: versions.length > 0 && identical(versions, "subresources"),
    additionalPrinterColumns: versions.length > 0 && identical(versions, "additionalPrinterColumns"),
    selectableFields: versions.length > 0 && identical(versions, "selectableFields"),
  };
  const nonEmpty = <T>(list: T[] | undefined) => (list?.length ? list : undefined);
  return {
    group: spec.group ?? "",
    names: spec.names ?? { plural: "", kind: "" },
    scope: spec.scope ?? "",
    version: versions[0]?.name ?? "",
    versions: versions.map((v) => ({
      name: v.name ?? "",
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      deprecationWarning: v.deprecationWarning,
      schema: lift.schema ? undefined : v.schema,
      subresources: lift.subresources ? undefined : v.subresources,
      additionalPrinterColumns: lift.additionalPrinterColumns ? undefined : nonEmpty(v.additionalPrinterColumns),
      selectableFields: lift.selectableFields ? undefined : nonEmpty(v.selectableFields),
    })),
    validation: lift.schema ? versions[0]!.schema : undefined,
    subresources: lift.subresources ? versions[0]!.subresources : undefined,
    additionalPrinterColumns: lift.additionalPrinterColumns ? nonEmpty(versions[0]!.additionalPrinterColumns) : undefined,
    selectableFields: lift.selectableFields ? nonEmpty(versions[0]!.selectableFields) : undefined,
    conversion: spec.conversion,
    preserveUnknownFields: spec.preserveUnknownFields === true,
  };
}

/** The subresources that apply to one version: the lifted ones, or the version's own. */
export function subresourcesFor(spec: InternalSpec, version: InternalVersion): CustomResourceSubresources | undefined {
  return spec.versions.some((v) => v.subresources !== undefined) ? version.subresources : spec.subresources;
}
