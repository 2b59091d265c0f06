/**
 * A resource is described once, as data plus a few hooks, and served by the one generic store
 * (registry/store.ts), as upstream's apiserver does with its generic registry and per-type
 * strategies. Built-in types and CRDs both become ResourceDefinitions.
 */
import type { FieldError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";
export const ALL_VERBS: Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** Who is asking, as authentication established it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What a strategy hook may know about the request. */
export interface RequestContext {
  user: UserInfo;
  /** Namespace of the request path ("" for cluster-scoped requests). */
  namespace: string;
  dryRun: boolean;
  fieldManager?: string;
  /** Milliseconds since the epoch, fixed for the whole request. */
  now: number;
  /** The subresource a write goes through ("finalize", ...), for strategies that allow more there. */
  subresource?: string;
  /**
   * What the request carries beyond the object, shared by every copy of the context: admission
   * adds warnings (sent as `Warning:` headers, even on refusals) and audit annotations here.
   */
  scope?: RequestScope;
}

/** Per-request state that admission writes and the HTTP layer (responses, audit) reads. */
export interface RequestScope {
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** The client's User-Agent and address, for admission reviews and audit. */
  userAgent?: string;
  /** Whom the request acts as through impersonation headers (audit's impersonatedUser). */
  impersonatedUser?: UserInfo;
}

/** A column of `kubectl get` output (meta.k8s.io Table). */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** "name" marks the object's name column; otherwise an OpenAPI format hint, or "". */
  format: string;
  description: string;
  /** 0: always shown; > 0: only with -o wide. */
  priority: number;
  /** The cell for one object; `now` is for ages. Return undefined for an empty cell ("<none>" is the caller's choice). */
  cell(obj: KubeObject, now: number): unknown;
}

/**
 * Per-type behaviour, called by the generic store in a fixed order (like upstream's
 * rest.BeforeCreate / BeforeUpdate): default -> prepare -> validate. Every hook is optional.
 */
export interface Strategy {
  /** Fills defaulted fields (upstream's SetDefaults_*). Runs on every create and update body. */
  defaults?(obj: KubeObject): void;
  /** Normalises a new object (clear status, ...). The store already sets uid, timestamps, generation. */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Normalises an update against the stored object. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Must not change the object. ObjectMeta (names, labels, annotations) is validated generically. */
  validate?(obj: KubeObject, ctx: RequestContext): FieldError[];
  /** Update rules (immutable fields, ...), after `validate` of the new object. */
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  /** Non-fatal advice, sent as `Warning:` headers. */
  warnings?(obj: KubeObject, old?: KubeObject): string[];
  /**
   * Runs inside create/update just before the write (allocate a ClusterIP, ...). May throw ApiError.
   * `release` is called if the write then fails, so allocations can be given back.
   */
  beforeWrite?(obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void | (() => Promise<void>)>;
  /** Runs after an object is gone for good (release a ClusterIP, ...). */
  afterDelete?(obj: KubeObject): Promise<void>;
  /**
   * Changes an object that deletion has to wait for, as it gets its deletionTimestamp (namespaces:
   * phase Terminating). `current` is the object as stored before.
   */
  prepareForDelete?(obj: KubeObject, current?: KubeObject): void;
  /**
   * Normalises a /status update (upstream's status strategy PrepareForUpdate): `obj` is the stored
   * object with the request's status already merged in.
   */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Rules for a /status update (upstream's status strategy ValidateUpdate). */
  validateStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
}

/** Where the scale subresource finds replicas and the selector (paths without the leading dot). */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Path of a label selector object (spec.selector) or of a selector string (status.selector). */
  labelSelectorPath?: string;
}

export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  /** Kind of lists, when it is not `${kind}List` (a CRD may name its own). */
  listKind?: string;
  /** Lower-case plural, the URL segment: "pods". */
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  verbs?: Verb[];
  /** Storage key segment when it differs from the plural (upstream: nodes are "minions", services "services/specs"). */
  storagePath?: string;
  /** The type has a /status subresource: the main endpoint ignores status, /status ignores the rest. */
  statusSubresource?: boolean;
  scale?: ScaleSpec;
  /** metadata.generation starts at 1 and grows on every change outside metadata and status. */
  tracksGeneration?: boolean;
  /** Objects expire after this many seconds (events: 3600, as kube-apiserver's --event-ttl). */
  ttlSeconds?: number;
  /** Table columns for `kubectl get`; NAME and AGE are used when absent. */
  printerColumns?: PrinterColumn[];
  /** Extra field selectors beyond metadata.name and metadata.namespace: label -> value of an object. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  strategy?: Strategy;
  /** Name syntax: DNS subdomain (default), single DNS-1123 label, DNS-1035 label, or any path segment. */
  nameRule?: "subdomain" | "label" | "dns1035" | "path-segment";
  /** PUT of a missing object creates it (upstream: endpoints, leases, events, ...). */
  allowCreateOnUpdate?: boolean;
  /**
   * DELETE answers with the deleted object instead of a Status naming it (upstream's
   * ReturnDeletedObject: pods, services, namespaces, persistent volumes and claims, ...).
   */
  returnDeletedObject?: boolean;
  /**
   * Graceful deletion (pods): seconds to wait before the object may go, given the requested grace
   * period. 0 deletes at once. Types without it are deleted at once (finalizers aside).
   */
  gracefulDeletion?(obj: KubeObject, requestedSeconds: number | undefined): number;
  /**
   * What deleting an object does to its dependents when the request names no propagation policy
   * (upstream's DefaultGarbageCollectionPolicy): DeleteDependents (the default, background),
   * OrphanDependents (core/v1 replication controllers, batch/v1 jobs, for backward compatibility),
   * or Unsupported (events: never given the garbage collector's finalizers).
   */
  garbageCollectionPolicy?: "DeleteDependents" | "OrphanDependents" | "Unsupported";
  /**
   * Finalizers kept outside metadata.finalizers that also hold back deletion (namespaces keep
   * theirs in spec.finalizers, cleared through the /finalize subresource).
   */
  extraFinalizers?(obj: KubeObject): string[];
  /**
   * For a version served from another version's stored objects (events.k8s.io/v1 Events are kept
   * as core/v1 Events): conversions applied when writing to and reading from the store.
   */
  storageConversion?: {
    toStored(obj: KubeObject): KubeObject;
    fromStored(obj: KubeObject): KubeObject;
  };
  /** Named sub-resources served by custom handlers (pods/log, pods/exec, ...), listed in discovery. */
  extraSubresources?: ExtraSubresource[];
  /**
   * A resource that computes an answer instead of storing objects (TokenReview, SubjectAccessReview,
   * ...): a POST is decoded, defaulted and validated like any create, then answered by `create`.
   * Its verbs should be ["create"]. `resources` reaches the other served resources (a Binding
   * changes a Pod).
   */
  virtual?: { create(obj: KubeObject, ctx: RequestContext, resources: ResourceLookup): Promise<KubeObject> };
  /**
   * A read-only resource whose objects are computed on each read instead of stored
   * (ComponentStatus): get and list answer from `list`; its verbs should be ["get", "list"].
   */
  computed?: {
    list(): Promise<KubeObject[]>;
    /** The error for a name `list` does not have. */
    missing(name: string): Error;
  };
  /** Sent as a `Warning:` header on every request for this resource (upstream's deprecated-API warning). */
  deprecationWarning?: string;
}

/** The served resources by group, version and plural (the Registry). */
export interface ResourceLookup {
  lookup(group: string, version: string, plural: string): import("./store.ts").GenericStore | undefined;
}

/** What a subresource handler gets: the parent object's store and the request. */
export interface SubresourceRequest {
  /** The parent resource's store (read, update through readModifyWrite, delete). */
  store: import("./store.ts").GenericStore;
  namespace: string;
  /** Name of the parent object. */
  name: string;
  ctx: RequestContext;
  dryRun: boolean;
  /** The other served resources (an eviction reads PodDisruptionBudgets). */
  resources: ResourceLookup;
}

/**
 * A named subresource (pods/binding, pods/eviction, namespaces/finalize, ...). With handlers it is
 * served by them; without, it is only listed in discovery (served by another component, e.g. logs).
 */
export interface ExtraSubresource {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: Verb[];
  /** POST with a body of `kind`; returns the response object and its status code (201 by default). */
  create?(req: SubresourceRequest, body: KubeObject): Promise<{ object: KubeObject; code?: number }>;
  /** PUT with a body of `kind`. */
  update?(req: SubresourceRequest, body: KubeObject): Promise<KubeObject>;
  /** GET of the subresource. */
  get?(req: SubresourceRequest): Promise<KubeObject>;
  /** PATCH (JSON, merge, strategic): `patched` applies the request's patch to the current object. */
  patch?(req: SubresourceRequest, patched: (current: KubeObject) => KubeObject): Promise<KubeObject>;
}
