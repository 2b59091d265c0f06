/**
 * The compact schema table format used by the files beside this one.
 *
 * A message maps each JSON field name to `[proto field number, type, flag?]`. Types are written
 * like Go, since Go's types decide both wire forms:
 *   string | bool | int32 | int64 | bytes     scalars (bytes is base64 text in JSON)
 *   Time | MicroTime | Duration | Quantity | IntOrString | FieldsV1 | RawExtension
 *                                             types whose JSON form is custom (see ../special.ts)
 *   Name | alias.Name                         a message of this group, or of another (meta., core., ...)
 *   *T                                        Go pointer: absent means nil, present is written even when zero
 *   []T | map[string]T                        repeated field | proto map
 * Flags:
 *   "always"  the Go JSON tag has no omitempty, so json.Marshal prints the zero value ("", 0, null)
 *   "inline"  an embedded struct: its own message on the wire, flattened into the parent in JSON
 *             (the table key is then only a label)
 * A message given as a string, "[]string", is a Go named slice that protobuf wraps in a message
 * with one repeated field `items` = 1 (ExtraValue); JSON sees the bare list.
 */

export type FieldFlag = "always" | "inline";

export type FieldEntry = readonly [number, string] | readonly [number, string, FieldFlag];

export type MessageTable = Readonly<Record<string, FieldEntry>>;

export interface GroupSchema {
  /** API group; "" for the core group. "meta.k8s.io" holds the shared meta/v1 messages. */
  group: string;
  version: string;
  /** Top-level kinds: what a runtime.Unknown envelope may name. */
  kinds: readonly string[];
  messages: Readonly<Record<string, MessageTable | string>>;
}
