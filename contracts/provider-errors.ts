/**
 * Failure types provider calls throw (activities/http/provider-call.ts) that workflows act on.
 * A 429: never spends a step's failure schedule (workflows/shared/rate-limit-budget.ts); its
 * details carry `retryAfterMs`.
 */
export const RATE_LIMITED = 'ProviderRateLimited';
