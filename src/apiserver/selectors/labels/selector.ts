/**
 * A label selector: the AND of its requirements (apimachinery's labels.Selector). The empty
 * selector matches everything; `LabelSelector.nothing()` (from a null metav1.LabelSelector)
 * matches nothing.
 */
import { errors } from "../../api/errors.ts";
import { parseLabelRequirements } from "./parser.ts";
import { requirementMatches, requirementString, SelectorError, type LabelRequirement } from "./requirement.ts";

export type Labels = Readonly<Record<string, string>>;

export class LabelSelector {
  private constructor(
    readonly requirements: readonly LabelRequirement[],
    private readonly matchesNothing = false,
  ) {}

  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    return new LabelSelector(requirements);
  }

  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  matches(labels: Labels | null | undefined): boolean {
    if (this.matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** True when the selector does not restrict anything (the nothing-selector is not empty). */
  isEmpty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** The value the selector pins `key` to ("key=v", "key==v" or "key in (v)"), if any. */
  exactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (!r || r.values.length !== 1 || !["=", "==", "in"].includes(r.operator)) return undefined;
    return r.values[0];
  }

  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

/**
 * Parses a `labelSelector` query value. A malformed selector is a 400 with upstream's message,
 * e.g. "unable to parse requirement: found '', expected: identifier".
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return LabelSelector.of(parseLabelRequirements(text));
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}
