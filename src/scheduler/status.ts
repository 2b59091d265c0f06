/**
 * Plugin results (upstream's framework.Status): a code and the reasons shown to users. `null`
 * stands for Success everywhere, so the common path allocates nothing.
 */

export enum Code {
  Success = 0,
  Error = 1,
  /** The node cannot take the pod now; preemption may help. */
  Unschedulable = 2,
  /** The node cannot take the pod, and removing pods would not change that. */
  UnschedulableAndUnresolvable = 3,
  Wait = 4,
  /** The plugin has nothing to do for this pod (from PreFilter / PreScore). */
  Skip = 5,
  /** The pod waits for something outside the scheduler. */
  Pending = 6,
}

export class Status {
  plugin = "";
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
  ) {}

  get message(): string {
    return this.reasons.join(", ");
  }

  /** Unschedulable, UnschedulableAndUnresolvable or Pending. */
  get rejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }

  withPlugin(name: string): this {
    this.plugin = name;
    return this;
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(err: unknown): Status {
    return new Status(Code.Error, [err instanceof Error ? err.message : String(err)]);
  }
}

export type Result = Status | null;

export const SKIP = new Status(Code.Skip);

/**
 * A rejection that never varies, shared by every node it applies to (filters run for hundreds of
 * nodes per pod; allocating a Status for each would dominate). Never mutated after creation.
 */
export function constantRejection(plugin: string, code: Code, reason: string): Status {
  return new Status(code, [reason]).withPlugin(plugin);
}

/** Rejections keyed by their text, made once (reasons that vary among a few values: taints, resources). */
export class RejectionCache {
  private readonly cache = new Map<string, Status>();

  constructor(private readonly plugin: string) {}

  get(code: Code, reasons: string[]): Status {
    const key = `${code}\u0000${reasons.join("\u0000")}`;
    let s = this.cache.get(key);
    if (!s) {
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, (s = new Status(code, reasons).withPlugin(this.plugin)));
    }
    return s;
  }
}

export function isSuccess(s: Result): boolean {
  return s === null || s.code === Code.Success;
}
