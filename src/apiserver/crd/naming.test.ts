import { describe, expect, test } from "bun:test";
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from "./types.ts";
import { calculateNames, namesSettled } from "./naming.ts";

function crd(name: string, names: CustomResourceDefinitionNames, accepted?: CustomResourceDefinitionNames, group = "example.com"): CustomResourceDefinition {
  return {
    metadata: { name: `${names.plural}.${group}`, uid: name },
    spec: { group, scope: "Namespaced", names, versions: [{ name: "v1", served: true, storage: true }] },
    status: { conditions: null, acceptedNames: accepted ?? { plural: "", kind: "" }, storedVersions: ["v1"] },
  };
}

const widgets = crd("a", { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["wd"] }, { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["wd"] });

describe("naming: which requested names a CRD gets", () => {
  test("free names are all accepted; Established waits for establishing", () => {
    const gadgets = crd("b", { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList", categories: ["all"] });
    const r = calculateNames(gadgets, [widgets, gadgets]);
    expect(r.acceptedNames).toEqual({ plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList", categories: ["all"] });
    expect(r.namesAccepted).toEqual({ type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" });
    expect(r.established).toEqual({ type: "Established", status: "False", reason: "Installing", message: "the initial names have been accepted" });
  });

  test("each kind of conflict has its reason; the other names are still accepted", () => {
    const cases: Array<[CustomResourceDefinitionNames, string, string]> = [
      [{ plural: "widget", singular: "w2", kind: "W2", listKind: "W2List" }, "PluralConflict", '"widget" is already in use'],
      [{ plural: "things", singular: "widgets", kind: "Thing", listKind: "ThingList" }, "SingularConflict", '"widgets" is already in use'],
      [{ plural: "things", singular: "thing", kind: "Thing", listKind: "ThingList", shortNames: ["th", "wd"] }, "ShortNamesConflict", '"wd" is already in use'],
      [{ plural: "things", singular: "thing", kind: "Widget", listKind: "ThingList" }, "KindConflict", '"Widget" is already in use'],
      [{ plural: "things", singular: "thing", kind: "Thing", listKind: "WidgetList" }, "ListKindConflict", '"WidgetList" is already in use'],
    ];
    for (const [names, reason, message] of cases) {
      const other = crd("b", names);
      const r = calculateNames(other, [widgets, other]);
      expect(r.namesAccepted).toEqual({ type: "NamesAccepted", status: "False", reason, message });
      expect(r.established).toEqual({ type: "Established", status: "False", reason: "NotAccepted", message: "not all names are accepted" });
    }
    const partial = crd("b", { plural: "things", singular: "thing", kind: "Widget", listKind: "ThingList", shortNames: ["wd"] });
    expect(calculateNames(partial, [widgets, partial]).acceptedNames).toEqual({ plural: "things", singular: "thing", kind: "", listKind: "ThingList" });
  });

  test("several short name conflicts are reported together", () => {
    const more = crd("c", { plural: "sprockets", singular: "sprocket", kind: "Sprocket", listKind: "SprocketList", shortNames: ["sp"] }, { plural: "sprockets", singular: "sprocket", kind: "Sprocket", listKind: "SprocketList", shortNames: ["sp"] });
    const other = crd("b", { plural: "things", singular: "thing", kind: "Thing", listKind: "ThingList", shortNames: ["wd", "sp"] });
    expect(calculateNames(other, [widgets, more, other]).namesAccepted.message).toBe('["wd" is already in use, "sp" is already in use]');
  });

  test("other groups do not conflict", () => {
    const elsewhere = crd("b", { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["wd"] }, undefined, "other.io");
    expect(calculateNames(elsewhere, [widgets, elsewhere]).namesAccepted.status).toBe("True");
  });

  test("an established CRD stays established when its names later conflict", () => {
    const est = crd("b", { plural: "things", singular: "thing", kind: "Thing", listKind: "ThingList", shortNames: ["wd"] }, { plural: "things", singular: "thing", kind: "Thing", listKind: "ThingList" });
    est.status!.conditions = [{ type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted" }];
    const r = calculateNames(est, [widgets, est]);
    expect(r.namesAccepted.status).toBe("False");
    expect(r.established.status).toBe("True");
  });

  test("a short name equal to the CRD's own singular conflicts once that is accepted (as upstream)", () => {
    const self = crd("a", { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["widget", "wdg"] }, { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["widget"] });
    expect(calculateNames(self, [self]).namesAccepted).toMatchObject({ status: "True" });
    const fresh = crd("a", { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["widget", "wdg"] }, { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" });
    expect(calculateNames(fresh, [fresh]).namesAccepted).toMatchObject({ status: "False", reason: "ShortNamesConflict", message: '"widget" is already in use' });
  });

  test("names are settled when the accepted ones are the requested ones", () => {
    expect(namesSettled(widgets)).toBe(true);
    expect(namesSettled(crd("b", { plural: "things", kind: "Thing" }))).toBe(false);
  });
});
