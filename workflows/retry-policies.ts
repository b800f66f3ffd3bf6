/**
 * Retry policies, named by what they promise, declared once. Activities never retry on their own:
 * Temporal does, with these schedules. Permanent provider errors (4xx other than
 * 408/409/423/429) are thrown non-retryable by activities/http/provider-call.ts, and a provider's
 * Retry-After overrides the next interval. A 429 inside a business step never spends a schedule:
 * see workflows/shared/rate-limit-budget.ts.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { TASK_QUEUE } from '../contracts/task-queues';
import { RATE_LIMITED } from '../contracts/provider-errors';

/**
 * The seed's schedule for provider calls: first try, then retries 1 min, 5 min and 15 min later
 * (1 × 5 = 5, 5 × 5 = 25 capped at 15). After that the workflow marks the step failed and waits for
 * a manual `retry` signal.
 */
const providerCallSchedule: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 minute', backoffCoefficient: 5, maximumInterval: '15 minutes', maximumAttempts: 4 },
};

/**
 * Provider calls made as steps of a business process (workflows/shared/manual-retry.ts): a 429 is
 * handed back to the step at once, which waits within its rate-limit budget
 * (workflows/shared/rate-limit-budget.ts) instead of spending this schedule's attempts.
 */
const stepCallSchedule: ActivityOptions = { ...providerCallSchedule, retry: { ...providerCallSchedule.retry, nonRetryableErrorTypes: [RATE_LIMITED] } };

export const mercadoPagoCall: ActivityOptions = stepCallSchedule;
/** On their own task queue, throttled there: see contracts/task-queues.ts. */
export const goHighLevelCall: ActivityOptions = { ...stepCallSchedule, taskQueue: TASK_QUEUE.gohighlevel };
/** A GoHighLevel call of a scheduled job (no step around it): Temporal retries its 429s, Retry-After apart. */
export const goHighLevelScheduledCall: ActivityOptions = { ...providerCallSchedule, taskQueue: TASK_QUEUE.gohighlevel };
/** Outgoing mail (SMTP): the same patient schedule; a mail server down for an hour loses nothing. */
export const emailSend: ActivityOptions = stepCallSchedule;

/**
 * A provider call made while a customer waits for the answer (the checkout's payment link): a few
 * quick tries, then the order is refused as "provider unavailable" (503 + Retry-After) rather than
 * keeping the customer's request open through the 21-minute schedule above.
 */
export const mercadoPagoWhileCustomerWaits: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 3 },
};

/** MongoDB steps of a business process: fast retries; after ~2 minutes the step counts as failed. */
export const databaseStep: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 15 },
};

/**
 * Bookkeeping that must eventually happen (projections, compensations, alerts of business
 * workflows): fast retries, never given up, since losing the record of a failure is worse than
 * waiting for the database (or Temporal's frontend) to come back.
 */
export const retriedUntilDone: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Probes measure; retrying one would hide the very failure it reports. */
export const measuredOnce: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
};

/**
 * Incident pages, one activity per channel: a handful of quick tries (~2.5 min), then the channel
 * is recorded as failed for this page; the other channels and the escalation timers go on.
 */
export const pageOnOneChannel: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

/**
 * Raising and clearing alerts (MongoDB bookkeeping + starting or signalling incident workflows):
 * quick tries inside one health-monitor minute. The activity skips MongoDB when it is down.
 */
export const alertingWithinAMinute: ActivityOptions = {
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/** Dumping or verifying the whole database: long, and retried a couple of times a few minutes apart. */
export const wholeDatabaseJob: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 3 },
};

/**
 * A reconciliation batch (a few MercadoPago search pages, the projection reads, the starts of the
 * webhook pipeline's workflows, a short wait for them): heartbeats, and a few retries minutes apart;
 * then the run fails and the next scheduled run covers its window again (the window only moves on
 * when a run completes).
 */
export const reconciliationBatch: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 3, maximumInterval: '5 minutes', maximumAttempts: 5 },
};

/**
 * The same MongoDB steps run as *local* activities (in the workflow's own worker, inside the
 * workflow task that needs them): one marker in history instead of three events and a workflow
 * task. Fit only for short, idempotent writes keyed by `_id`: a local activity may run again when
 * its workflow task is retried, and its retries happen in the worker (the backoff here stays under
 * `localRetryThreshold`, so no timer is written). Same schedule as databaseStep (~2 minutes).
 */
export const databaseStepLocal = {
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: databaseStep.retry,
} satisfies LocalActivityOptions;

/** retriedUntilDone as a local activity: never given up; backoffs past a minute become durable timers. */
export const retriedUntilDoneLocal = {
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: retriedUntilDone.retry,
} satisfies LocalActivityOptions;
