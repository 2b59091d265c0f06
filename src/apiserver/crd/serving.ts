/**
 * What the API server serves for each CRD: its versions' ResourceDefinitions in the Registry
 * (so routing, discovery and `kubectl get all` follow) and their schemas in OpenAPI (so
 * `kubectl explain` works). Rebuilt only when something that shapes serving changes.
 */
import type { Logger } from "../../log/index.ts";
import type { OpenApi, Schema } from "../openapi/index.ts";
import type { Registry } from "../registry/registry.ts";
import type { CompiledSchema } from "./schema/index.ts";
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from "./types.ts";
import { compileSchema } from "./schema/index.ts";
import { isConditionTrue } from "./conditions.ts";
import { servedDefinitions } from "./custom/definitions.ts";

interface Served {
  fingerprint: string;
  /** Registry paths (group/version/plural) this CRD holds. */
  paths: Array<{ group: string; version: string; plural: string; kind: string }>;
}

/** A CRD is served once its names are accepted or it has been established (upstream's crdHandler). */
export function isServable(crd: CustomResourceDefinition): boolean {
  const accepted = crd.status?.acceptedNames;
  if (!accepted?.plural || !accepted.kind) return false;
  return isConditionTrue(crd, "Established") || isConditionTrue(crd, "NamesAccepted");
}

export class CrdServing {
  private readonly served = new Map<string, Served>();
  /** Compiled schemas by their JSON text: a CRD update that leaves a schema alone does not recompile it. */
  private compiled = new Map<string, CompiledSchema>();

  constructor(
    private readonly registry: Registry,
    private readonly openapi: OpenApi | undefined,
    private readonly log: Logger,
  ) {}

  /** Serves `crd` as it now stands, or stops serving it when it may not be served. */
  sync(crd: CustomResourceDefinition): void {
    const name = crd.metadata!.name!;
    if (!isServable(crd)) {
      this.remove(name);
      return;
    }
    const fingerprint = JSON.stringify([crd.metadata?.uid, crd.spec, crd.status?.acceptedNames, isConditionTrue(crd, "Terminating")]);
    if (this.served.get(name)?.fingerprint === fingerprint) return;
    const defs = servedDefinitions(crd, (_crd, v) => this.compile(v));
    const previous = this.served.get(name)?.paths ?? [];
    const paths: Served["paths"] = [];
    for (const def of defs) {
      const existing = this.registry.lookup(def.group, def.version, def.plural);
      const ours = previous.some((p) => p.group === def.group && p.version === def.version && p.plural === def.plural);
      // Built-in resources win over a CRD that claims their name, as upstream's handler chain has it.
      if (existing && !ours) {
        this.log.warn("CRD version overlaps a served resource; not serving it", { crd: name, version: def.version });
        continue;
      }
      this.registry.add(def);
      paths.push({ group: def.group, version: def.version, plural: def.plural, kind: def.kind });
      const version = crd.spec.versions.find((v) => v.name === def.version)!;
      this.openapi?.registerCustomSchema({ group: def.group, version: def.version, kind: def.kind }, openApiSchema(version));
    }
    for (const p of previous) {
      if (!paths.some((q) => q.version === p.version && q.plural === p.plural)) this.registry.remove(p.group, p.version, p.plural);
      // By kind, not path: a kind renamed before establishment leaves its old schema otherwise.
      if (!paths.some((q) => q.version === p.version && q.kind === p.kind)) this.openapi?.unregisterCustomSchema({ group: p.group, version: p.version, kind: p.kind });
    }
    this.served.set(name, { fingerprint, paths });
    this.log.v(2).info("serving custom resource", { crd: name, versions: paths.map((p) => p.version) });
  }

  /** Stops serving the CRD of this name. */
  remove(name: string): void {
    const served = this.served.get(name);
    if (!served) return;
    for (const p of served.paths) {
      this.registry.remove(p.group, p.version, p.plural);
      this.openapi?.unregisterCustomSchema({ group: p.group, version: p.version, kind: p.kind });
    }
    this.served.delete(name);
  }

  isServed(name: string): boolean {
    return this.served.has(name);
  }

  private compile(version: CustomResourceDefinitionVersion): CompiledSchema | undefined {
    const schema = version.schema?.openAPIV3Schema;
    if (!schema) return undefined;
    const key = JSON.stringify(schema);
    let compiled = this.compiled.get(key);
    if (!compiled) {
      try {
        compiled = compileSchema(schema);
      } catch (err) {
        // Validation admits structural schemas only; one stored before that rule is served unchecked.
        this.log.warn("CRD schema does not compile; serving the version without it", { err });
        return undefined;
      }
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  /** Drops compiled schemas no served CRD uses any more (called after deletions). */
  forgetUnusedSchemas(crds: Iterable<CustomResourceDefinition>): void {
    const used = new Set<string>();
    for (const crd of crds) for (const v of crd.spec.versions ?? []) if (v.schema?.openAPIV3Schema) used.add(JSON.stringify(v.schema.openAPIV3Schema));
    this.compiled = new Map([...this.compiled].filter(([key]) => used.has(key)));
  }
}

/**
 * The version's schema as OpenAPI publishes it. A CRD schema is JSON Schema of the same shape as
 * the OpenAPI module's; they are typed apart only because each side names what it reads.
 */
function openApiSchema(version: CustomResourceDefinitionVersion): Schema {
  const schema: JSONSchemaProps = version.schema?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return schema as unknown as Schema;
}
