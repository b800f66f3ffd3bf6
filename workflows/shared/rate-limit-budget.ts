/**
 * A provider's `429 Too Many Requests` is not a failure of the call: it never spends the 1/5/15-min
 * failure schedule. The step's activity hands the 429 back at once (its policy lists the type as
 * non-retryable), and the workflow waits — Retry-After as a lower bound, else 1 s doubling to 1 min —
 * on a durable timer and calls again, for up to RATE_LIMIT_BUDGET_MS (as long as the whole failure
 * schedule). Only when that budget is spent does the step fail (and page, and wait for a retry).
 * Other failures between two 429s run the activity's own schedule, which starts afresh per call.
 */
import { ActivityFailure, ApplicationFailure, patched, sleep } from '@temporalio/workflow';
import { RATE_LIMITED } from '../../contracts/provider-errors';
/** 1 + 5 + 15 minutes: the failure schedule's own length. */
export const RATE_LIMIT_BUDGET_MS = 21 * 60_000;
const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 60_000;

/** The provider's Retry-After (ms; 0 when it gave none) of a rate-limited call, undefined for any other failure. */
export function rateLimitedFor(err: unknown): number | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure) || err.cause.type !== RATE_LIMITED) return undefined;
  const retryAfterMs = (err.cause.details?.[0] as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 0;
}

export async function withinRateLimitBudget<T>(run: () => Promise<T>): Promise<T> {
  const since = Date.now();
  let backoff = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      const retryAfter = rateLimitedFor(err);
      // Added while executions were running: histories from before keep their old course.
      if (retryAfter === undefined || !patched('rate-limit-budget')) throw err;
      const wait = Math.max(retryAfter, backoff);
      if (Date.now() - since + wait > RATE_LIMIT_BUDGET_MS) throw err;
      backoff = Math.min(backoff * 2, LONGEST_WAIT_MS);
      await sleep(wait);
    }
  }
}
