/**
 * The exponential delay before a Job replaces failed pods (upstream's backoffStore): each Job
 * remembers how many pods failed since the last success and when the last one failed; the next
 * pod waits base * 2^(failures-1), capped (10 s doubling to 6 min upstream).
 */
import type { Pod } from "../common/types.ts";
import { finishedTime } from "./job-pods.ts";

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  update(record: BackoffRecord): void {
    this.records.set(record.key, { ...record });
  }

  remove(key: string): void {
    this.records.delete(key);
  }

  /** The record as it stands once the newly finished pods are taken into account. */
  next(key: string, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const record: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
    const succeededTimes = newSucceeded.map(finishedTime).sort((a, b) => a - b);
    if (succeededTimes.length === 0) {
      if (failedTimes.length === 0) return record;
      record.failuresAfterLastSuccess += failedTimes.length;
      record.lastFailureTime = failedTimes.at(-1);
      return record;
    }
    // A success resets the count; only failures after the last success count.
    const lastSuccess = succeededTimes.at(-1)!;
    record.failuresAfterLastSuccess = 0;
    record.lastFailureTime = undefined;
    for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i]! > lastSuccess; i--) {
      record.lastFailureTime ??= failedTimes[i];
      record.failuresAfterLastSuccess++;
    }
    return record;
  }
}

/** How long to wait before the next pod, given `failures` in a row, the last at `lastFailure`. */
export function remainingBackoff(now: number, baseMs: number, maxMs: number, failures: number, lastFailure: number | undefined): number {
  if (failures === 0 || lastFailure === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= maxMs) {
      delay = maxMs;
      break;
    }
  }
  const elapsed = now - lastFailure;
  return delay < elapsed ? 0 : delay - elapsed;
}
