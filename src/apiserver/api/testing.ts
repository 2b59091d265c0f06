/** Test helpers for code that answers with ApiError. */
import { ApiError } from "./errors.ts";

/** The ApiError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function apiFailure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the call to fail with an ApiError");
}

/** The ApiError `fn` throws; fails the test when it returns or throws anything else. */
export function thrownApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the call to throw an ApiError");
}
