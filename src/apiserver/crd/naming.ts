/**
 * Which of a CRD's requested names it may have (upstream's NamingConditionController): a name
 * already accepted for another CRD of the same group (plural, singular or short name against
 * resource names; kind and list kind against kinds) is refused with NamesAccepted=False and the
 * conflict's reason. Names a CRD already holds stay its own. Established starts False and turns
 * True only through establishing (see establish.ts).
 */
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames } from "./types.ts";
import { findCondition } from "./conditions.ts";

export interface NamingResult {
  acceptedNames: CustomResourceDefinitionNames;
  namesAccepted: CustomResourceDefinitionCondition;
  established: CustomResourceDefinitionCondition;
}

/** Resource names and kinds the CRDs of `crd`'s group have been given (its own included, as upstream counts them). */
function namesInUse(crd: CustomResourceDefinition, others: Iterable<CustomResourceDefinition>): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    if (other.spec.group !== crd.spec.group) continue;
    const accepted = other.status?.acceptedNames;
    if (!accepted) continue;
    resources.add(accepted.plural ?? "");
    resources.add(accepted.singular ?? "");
    for (const s of accepted.shortNames ?? []) resources.add(s);
    kinds.add(accepted.kind ?? "");
    kinds.add(accepted.listKind ?? "");
  }
  return { resources, kinds };
}

/** undefined when `requested` may be had: it is what the CRD already holds, or nobody's. */
function conflict(requested: string, accepted: string, used: Set<string>): string | undefined {
  if (requested === accepted || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).length === (b ?? []).length && (a ?? []).every((v, i) => v === b?.[i]);

export function calculateNames(crd: CustomResourceDefinition, others: Iterable<CustomResourceDefinition>): NamingResult {
  const { resources, kinds } = namesInUse(crd, others);
  const requested = crd.spec.names;
  const accepted: CustomResourceDefinitionNames = crd.status?.acceptedNames ?? { plural: "", kind: "" };
  const next: CustomResourceDefinitionNames = { ...accepted };
  const condition: CustomResourceDefinitionCondition = { type: "NamesAccepted", status: "Unknown" };
  const refuse = (reason: string, message: string) => {
    condition.status = "False";
    condition.reason = reason;
    condition.message = message;
  };

  const check = (key: "plural" | "singular" | "kind" | "listKind", used: Set<string>, reason: string) => {
    const problem = conflict(requested[key] ?? "", accepted[key] ?? "", used);
    if (problem) refuse(reason, problem);
    else if (key === "plural" || key === "kind") next[key] = requested[key] ?? "";
    else next[key] = requested[key];
  };
  check("plural", resources, "PluralConflict");
  check("singular", resources, "SingularConflict");
  if (!sameList(requested.shortNames, accepted.shortNames)) {
    const held = new Set(accepted.shortNames ?? []);
    const problems = (requested.shortNames ?? []).filter((s) => !held.has(s)).flatMap((s) => conflict(s, "", resources) ?? []);
    // Several conflicts read as apimachinery's aggregate error: "[a, b]".
    if (problems.length > 0) refuse("ShortNamesConflict", problems.length === 1 ? problems[0]! : `[${problems.join(", ")}]`);
    else next.shortNames = requested.shortNames;
  }
  check("kind", kinds, "KindConflict");
  check("listKind", kinds, "ListKindConflict");
  next.categories = requested.categories;

  if (condition.status === "Unknown") {
    condition.status = "True";
    condition.reason = "NoConflicts";
    condition.message = "no conflicts found";
  }

  let established: CustomResourceDefinitionCondition = findCondition(crd, "Established") ?? {
    type: "Established",
    status: "False",
    reason: "NotAccepted",
    message: "not all names are accepted",
  };
  if (established.status !== "True" && condition.status === "True") {
    established = { type: "Established", status: "False", reason: "Installing", message: "the initial names have been accepted" };
  }
  return { acceptedNames: dropEmpty(next), namesAccepted: condition, established };
}

/** Go's omitempty: empty optional names are not written. */
function dropEmpty(names: CustomResourceDefinitionNames): CustomResourceDefinitionNames {
  const out: CustomResourceDefinitionNames = { plural: names.plural ?? "", kind: names.kind ?? "" };
  if (names.singular) out.singular = names.singular;
  if (names.shortNames?.length) out.shortNames = names.shortNames;
  if (names.listKind) out.listKind = names.listKind;
  if (names.categories?.length) out.categories = names.categories;
  return out;
}

/** Whether requested and accepted names are the same (upstream skips the work then). */
export function namesSettled(crd: CustomResourceDefinition): boolean {
  const a = crd.spec.names;
  const b = crd.status?.acceptedNames;
  if (!b) return false;
  return (
    (a.plural ?? "") === (b.plural ?? "") &&
    (a.singular ?? "") === (b.singular ?? "") &&
    (a.kind ?? "") === (b.kind ?? "") &&
    (a.listKind ?? "") === (b.listKind ?? "") &&
    sameList(a.shortNames, b.shortNames) &&
    sameList(a.categories, b.categories)
  );
}
