/**
 * Upstream's EnsureNamedFieldsAreMembers: in a set used for pruning, a struct field that only
 * has paths below it is made a member too, so removing the set removes the field as a whole
 * (a `strategy` the applier no longer sets goes, not just its leaves).
 */
import { FieldSet } from "../fieldpath/field-set.ts";
import { serializePathElement } from "../fieldpath/path-element.ts";
import type { TypeNode } from "../schema/type-node.ts";

export function withNamedFieldsAsMembers(set: FieldSet, node: TypeNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, pe] of set.members) out.addMember(k, pe);
  for (const [k, child] of set.children) {
    let childNode: TypeNode | undefined;
    if (child.pe.kind === "field" && node?.map) {
      const declared = node.map.field(child.pe.name);
      if (declared) out.addMember(serializePathElement(child.pe), child.pe);
      childNode = declared ?? node.map.element();
    } else if (child.pe.kind === "key" && node?.list) {
      childNode = node.list.element();
    }
    out.addChild(k, { pe: child.pe, set: withNamedFieldsAsMembers(child.set, childNode) });
  }
  return out;
}
