/**
 * The ResourceDefinitions a CRD serves: one per served version, under the accepted names, all
 * over the same stored objects (`<group>/<plural>`, upstream's etcd key). Objects are stored in
 * the storage version; with conversion strategy None a version reads and writes them by only
 * rewriting apiVersion. Reading also prunes and defaults with the stored version's schema, as
 * upstream's storage decoder does, so defaults added to a schema later show on old objects.
 */
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, ScaleSpec } from "../../registry/definition.ts";
import type { CompiledSchema } from "../schema/index.ts";
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from "../types.ts";
import { parseApiVersion } from "../../api/types.ts";
import { versionPriority } from "../../http/discovery.ts";
import { goValue } from "../../patch/go-format.ts";
import type { JsonValue } from "../../patch/json-value.ts";
import { isConditionTrue } from "../conditions.ts";
import { printerColumns } from "../columns.ts";
import { findResults } from "../jsonpath/evaluate.ts";
import { parseTemplate } from "../jsonpath/parse.ts";
import { customResourceStrategy } from "./strategy.ts";

/** Compiles a version's schema (callers cache). */
export type SchemaCompiler = (crd: CustomResourceDefinition, version: CustomResourceDefinitionVersion) => CompiledSchema | undefined;

export function storagePathOf(crd: CustomResourceDefinition): string {
  return `${crd.spec.group}/${crd.status?.acceptedNames.plural || crd.spec.names.plural}`;
}

export function servedDefinitions(crd: CustomResourceDefinition, compile: SchemaCompiler): ResourceDefinition[] {
  const { spec } = crd;
  const accepted = crd.status!.acceptedNames;
  const storageVersion = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]!.name;
  const schemas = new Map(spec.versions.map((v) => [v.name, compile(crd, v)]));
  const terminating = isConditionTrue(crd, "Terminating");
  const preserveUnknownFields = spec.preserveUnknownFields === true;

  /** Decoded (pruned, defaulted) with the schema of the version it was stored in, as upstream's storage codec does. */
  const normaliseStored = (obj: KubeObject) => {
    const schema = schemas.get(parseApiVersion(obj.apiVersion ?? "").version);
    if (!schema) return;
    if (preserveUnknownFields) schema.applyDefaults(obj);
    else schema.decode(obj, { fromStorage: true });
  };

  return spec.versions
    .filter((v) => v.served)
    .map((v): ResourceDefinition => {
      const apiVersion = `${spec.group}/${v.name}`;
      const scale = v.subresources?.scale;
      return {
        group: spec.group,
        version: v.name,
        kind: accepted.kind,
        listKind: accepted.listKind || `${accepted.kind}List`,
        plural: accepted.plural,
        singular: accepted.singular || accepted.kind.toLowerCase(),
        shortNames: accepted.shortNames,
        categories: accepted.categories,
        namespaced: spec.scope === "Namespaced",
        storagePath: storagePathOf(crd),
        statusSubresource: v.subresources?.status !== undefined,
        scale: scale ? scaleSpec(scale) : undefined,
        tracksGeneration: true,
        printerColumns: printerColumns(v.additionalPrinterColumns),
        deprecationWarning: v.deprecated ? (v.deprecationWarning ?? defaultDeprecationWarning(crd, v.name)) : undefined,
        fieldSelectors: selectableFields(v),
        strategy: customResourceStrategy({
          schema: schemas.get(v.name),
          preserveUnknownFields,
          statusSubresource: v.subresources?.status !== undefined,
          scale,
          terminating,
          group: spec.group,
          version: v.name,
          plural: accepted.plural,
        }),
        storageConversion: {
          toStored: (obj) => ({ ...obj, apiVersion: `${spec.group}/${storageVersion}` }),
          fromStored: (stored) => {
            const obj = structuredClone(stored);
            normaliseStored(obj);
            obj.apiVersion = apiVersion;
            return obj;
          },
        },
      };
    });
}

/** "example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget": the newest served, undeprecated version is named. */
function defaultDeprecationWarning(crd: CustomResourceDefinition, deprecated: string): string {
  const { group, names } = crd.spec;
  const message = `${group}/${deprecated} ${names.kind} is deprecated`;
  const newer = crd.spec.versions.filter((v) => v.served && !v.deprecated && versionPriority(v.name, deprecated) < 0).map((v) => v.name);
  if (newer.length === 0) return message;
  return `${message}; use ${group}/${newer.sort(versionPriority)[0]} ${names.kind}`;
}

function scaleSpec(scale: NonNullable<NonNullable<CustomResourceDefinitionVersion["subresources"]>["scale"]>): ScaleSpec {
  const strip = (p: string) => p.replace(/^\./, "");
  return {
    specReplicasPath: strip(scale.specReplicasPath),
    statusReplicasPath: strip(scale.statusReplicasPath),
    labelSelectorPath: scale.labelSelectorPath ? strip(scale.labelSelectorPath) : undefined,
  };
}

/** selectableFields as field selectors: the path without its dot, the value as Go prints it ("" when absent). */
function selectableFields(v: CustomResourceDefinitionVersion): Record<string, (obj: KubeObject) => string | undefined> | undefined {
  if (!v.selectableFields?.length) return undefined;
  const out: Record<string, (obj: KubeObject) => string | undefined> = {};
  for (const f of v.selectableFields) {
    const template = parseTemplate(`{${f.jsonPath}}`);
    out[f.jsonPath.replace(/^\./, "")] = (obj) => {
      const value = findResults(template, obj)[0]?.[0];
      return value === undefined || value === null ? "" : goValue(value as JsonValue);
    };
  }
  return out;
}
