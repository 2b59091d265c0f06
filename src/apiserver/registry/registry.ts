/**
 * Every served resource, by group/version/plural, each backed by one GenericStore. The registry is
 * the one place that knows what exists; discovery, OpenAPI and routing read it. Custom resources
 * are added and removed at run time, so readers subscribe to changes.
 */
import type { Backend } from "../../store/index.ts";
import type { ResourceDefinition } from "./definition.ts";
import type { ValueTransformer } from "./codec.ts";
import { type Admission, GenericStore, NO_ADMISSION } from "./store.ts";
import { FieldTypeCatalog } from "../apply/schema/field-types.ts";

export class Registry {
  private readonly stores = new Map<string, GenericStore>();
  private readonly listeners = new Set<() => void>();
  /** The types every store's managedFields are computed with; give it the OpenAPI service for custom resources. */
  readonly fieldTypes = new FieldTypeCatalog();
  /** Encryption at rest: the transformer for a group's resource, or none (stored as is). */
  private transformerFor: (group: string, resource: string) => ValueTransformer | undefined = () => undefined;

  constructor(
    private readonly backend: Backend,
    private readonly admission: Admission = NO_ADMISSION,
  ) {}

  static path(group: string, version: string, plural: string): string {
    return `${group}/${version}/${plural}`;
  }

  add(def: ResourceDefinition): GenericStore {
    checkDefinition(def);
    const store = new GenericStore(def, this.backend, this.admission, this);
    store.fieldTypes = this.fieldTypes;
    store.transformer = this.transformerFor(def.group, def.plural);
    this.stores.set(Registry.path(def.group, def.version, def.plural), store);
    this.changed();
    return store;
  }

  /** Sets how values are encrypted at rest, for served resources and those added later (a new configuration applies at once). */
  useTransformers(fn: (group: string, resource: string) => ValueTransformer | undefined): void {
    this.transformerFor = fn;
    for (const s of this.stores.values()) s.transformer = fn(s.def.group, s.def.plural);
  }

  remove(group: string, version: string, plural: string): void {
    if (this.stores.delete(Registry.path(group, version, plural))) this.changed();
  }

  lookup(group: string, version: string, plural: string): GenericStore | undefined {
    return this.stores.get(Registry.path(group, version, plural));
  }

  /** The store serving a kind in a group-version (for owner references, events, ...). */
  byKind(group: string, version: string, kind: string): GenericStore | undefined {
    for (const s of this.stores.values()) if (s.def.group === group && s.def.version === version && s.def.kind === kind) return s;
    return undefined;
  }

  definitions(): ResourceDefinition[] {
    return [...this.stores.values()].map((s) => s.def);
  }

  all(): GenericStore[] {
    return [...this.stores.values()];
  }

  /** Called after any resource is added or removed. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/** Fails fast on an incomplete definition, naming the resource (upstream's CompleteWithOptions). */
function checkDefinition(def: ResourceDefinition): void {
  const name = `${def.plural || "?"}.${def.group || "core"}/${def.version || "?"}`;
  for (const field of ["version", "kind", "plural", "singular"] as const) {
    if (!def[field]) throw new Error(`resource definition ${name}: ${field} is required`);
  }
  if (def.plural !== def.plural.toLowerCase()) throw new Error(`resource definition ${name}: plural must be lower case`);
}
