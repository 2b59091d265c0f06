/**
 * Compiles the schema tables into message descriptors once, and resolves the (apiVersion, kind)
 * a protobuf envelope names to the message that encodes it.
 */
import { SCHEMAS, type GroupSchema, type MessageTable } from "./schema/index.ts";
import { SPECIALS, type SpecialCodec } from "./special.ts";
import { WIRE_BYTES, WIRE_VARINT } from "./wire.ts";

export const T_STRING = 1;
export const T_BOOL = 2;
export const T_INT32 = 3;
export const T_INT64 = 4;
export const T_BYTES = 5;
export const T_MESSAGE = 6;
export const T_SPECIAL = 7;

export const SINGLE = 0;
export const REPEATED = 1;
export const MAP = 2;

export interface FieldDesc {
  json: string;
  no: number;
  /** Position in MessageDesc.fields (JSON order), used as a decode slot. */
  slot: number;
  shape: typeof SINGLE | typeof REPEATED | typeof MAP;
  /** Go pointer: nil when absent, written whenever set. */
  ptr: boolean;
  /** JSON prints the zero value (no omitempty). */
  always: boolean;
  /** Embedded struct flattened into the parent's JSON. */
  inline: boolean;
  /** Element type (the value type for maps). */
  type: number;
  msg: MessageDesc | null;
  special: SpecialCodec | null;
  /** Wire type of one element. */
  wire: number;
  /** For error messages, like gogo's "for field Name". */
  goName: string;
}

export interface MessageDesc {
  /** "core.PodSpec" */
  name: string;
  /** Go declaration order = JSON key order. */
  fields: FieldDesc[];
  /** Field number -> field. */
  byNo: (FieldDesc | undefined)[];
  /** Ascending field number: the order gogo-protobuf writes. */
  wireOrder: FieldDesc[];
  /** Set for a Go named slice wrapped in a message (ExtraValue): the element type of `items` = 1. */
  listOf: FieldDesc | null;
}

const SCALARS: Record<string, [number, number]> = {
  string: [T_STRING, WIRE_BYTES],
  bool: [T_BOOL, WIRE_VARINT],
  int32: [T_INT32, WIRE_VARINT],
  int64: [T_INT64, WIRE_VARINT],
  bytes: [T_BYTES, WIRE_BYTES],
};

/** Kinds meta/v1 registers in every group version (AddToGroupVersion) or as unversioned (Status). */
const META_IN_EVERY_GROUP = new Set(["Status", "WatchEvent", "DeleteOptions"]);

class Registry {
  private readonly messages = new Map<string, MessageDesc>();
  /** apiVersion -> kind -> message */
  private readonly kinds = new Map<string, Map<string, MessageDesc>>();
  private readonly groupVersions = new Set<string>();

  constructor(schemas: Readonly<Record<string, GroupSchema>>) {
    // Two passes: create every descriptor, then resolve field types (tables refer to each other).
    for (const [alias, schema] of Object.entries(schemas)) {
      for (const name of Object.keys(schema.messages)) {
        this.messages.set(`${alias}.${name}`, { name: `${alias}.${name}`, fields: [], byNo: [], wireOrder: [], listOf: null });
      }
    }
    for (const [alias, schema] of Object.entries(schemas)) {
      for (const [name, table] of Object.entries(schema.messages)) this.compile(alias, this.messages.get(`${alias}.${name}`)!, table);
      const gv = schema.group ? `${schema.group}/${schema.version}` : schema.version;
      this.groupVersions.add(gv);
      for (const kind of schema.kinds) this.addKind(gv, kind, this.messages.get(`${alias}.${kind}`)!);
    }
    const meta = (kind: string) => this.messages.get(`meta.${kind}`)!;
    // PartialObjectMetadata is served for meta.k8s.io/v1beta1 too, with the same message.
    for (const kind of ["PartialObjectMetadata", "PartialObjectMetadataList"]) this.addKind("meta.k8s.io/v1beta1", kind, meta(kind));
  }

  private addKind(apiVersion: string, kind: string, desc: MessageDesc): void {
    let byKind = this.kinds.get(apiVersion);
    if (!byKind) this.kinds.set(apiVersion, (byKind = new Map()));
    byKind.set(kind, desc);
  }

  private compile(alias: string, desc: MessageDesc, table: MessageTable | string): void {
    if (typeof table === "string") {
      // "[]string": protobuf message { repeated <elem> items = 1 }, JSON a bare list.
      const f = this.field(alias, "items", 1, table, undefined, 0);
      desc.fields.push(f);
      desc.byNo[1] = f;
      desc.wireOrder.push(f);
      desc.listOf = f;
      return;
    }
    for (const [json, entry] of Object.entries(table)) {
      const f = this.field(alias, json, entry[0], entry[1], entry[2], desc.fields.length);
      if (desc.byNo[f.no]) throw new Error(`${desc.name}: field number ${f.no} used twice`);
      desc.fields.push(f);
      desc.byNo[f.no] = f;
    }
    desc.wireOrder = [...desc.fields].sort((a, b) => a.no - b.no);
  }

  private field(alias: string, json: string, no: number, type: string, flag: string | undefined, slot: number): FieldDesc {
    let shape: FieldDesc["shape"] = SINGLE;
    let ptr = false;
    let t = type;
    if (t.startsWith("[]")) {
      shape = REPEATED;
      t = t.slice(2);
    } else if (t.startsWith("map[string]")) {
      shape = MAP;
      t = t.slice("map[string]".length);
    } else if (t.startsWith("*")) {
      ptr = true;
      t = t.slice(1);
    }
    const f: FieldDesc = {
      json,
      no,
      slot,
      shape,
      ptr,
      always: flag === "always",
      inline: flag === "inline",
      type: 0,
      msg: null,
      special: null,
      wire: WIRE_BYTES,
      goName: json.charAt(0).toUpperCase() + json.slice(1),
    };
    const scalar = SCALARS[t];
    if (scalar) [f.type, f.wire] = scalar;
    else if (SPECIALS[t]) {
      f.type = T_SPECIAL;
      f.special = SPECIALS[t];
    } else {
      const msg = this.messages.get(t.includes(".") ? t : `${alias}.${t}`);
      if (!msg) throw new Error(`schema ${alias}: unknown type ${JSON.stringify(type)} for field ${json}`);
      f.type = T_MESSAGE;
      f.msg = msg;
    }
    return f;
  }

  /** The message for a top-level kind, or undefined when we have no protobuf schema for it. */
  resolve(apiVersion: string, kind: string): MessageDesc | undefined {
    const direct = this.kinds.get(apiVersion)?.get(kind);
    if (direct) return direct;
    if (META_IN_EVERY_GROUP.has(kind) && (this.groupVersions.has(apiVersion) || apiVersion === "meta.k8s.io/v1")) {
      return this.messages.get(`meta.${kind}`);
    }
    return undefined;
  }

  /** Whether we carry schemas for this group version ("v1", "apps/v1"). */
  servesGroupVersion(apiVersion: string): boolean {
    return this.groupVersions.has(apiVersion);
  }

  message(name: string): MessageDesc | undefined {
    return this.messages.get(name);
  }

  allMessages(): IterableIterator<MessageDesc> {
    return this.messages.values();
  }

  allKinds(): Array<{ apiVersion: string; kind: string }> {
    return [...this.kinds].flatMap(([apiVersion, byKind]) => [...byKind.keys()].map((kind) => ({ apiVersion, kind })));
  }
}

let registry: Registry | null = null;

/** Compiled lazily so importing the module costs nothing until protobuf is used. */
export function schemaRegistry(): Registry {
  registry ??= new Registry(SCHEMAS);
  return registry;
}
