/**
 * Payments reconciliation: the workflow reference and the types its workflow, activities, API and
 * Schedule share. The workflow pages through MercadoPago's payments search over a window that
 * overlaps the previous run's, and sends every payment our projection misses (or holds at an older
 * state) through the webhook pipeline's own workflow (processMercadoPagoNotificationV2).
 */
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

/** Started by its Schedule `payments-reconciliation` (workers/schedules.ts); `POST /api/v1/reconciliation/run` triggers the Schedule. */
export const reconcilePaymentsWorkflow = workflowRef<(input?: ReconciliationInput) => Promise<ReconciliationResult>>()('reconcilePayments', TASK_QUEUE.webhooks);

export const RECONCILIATION_SCHEDULE_ID = 'payments-reconciliation';
/** Dedup key (and incident `incident-reconciliation-drift`) of the drift alert. */
export const RECONCILIATION_DRIFT_ALERT_KEY = 'reconciliation-drift';
export const RECONCILIATION_DRIFT_MESSAGE = 'MercadoPago notifications look broken';

/** `mp-recon-<payment id>-<date_last_updated epoch ms>`: one event per payment state, whichever run finds it. */
export const reconciliationEventId = (paymentId: string, dateLastUpdated: string) => `mp-recon-${paymentId}-${Date.parse(dateLastUpdated)}`;

export interface ReconciliationWindow {
  /** ISO; inclusive. */
  start: string;
  /** ISO; inclusive. */
  end: string;
}

/** Where the next search page starts: keyset on date_last_updated, offset only among equal timestamps. */
export interface SearchCursor {
  begin: string;
  skip: number;
}

export interface CurrencyTotals {
  /** Payments seen in the search, and their amounts in integer minor units. */
  seen: number;
  seenAmountMinor: number;
  /** Missing or stale ones, and their amounts in integer minor units. */
  drift: number;
  driftAmountMinor: number;
}

export interface ReconciliationCounts {
  /** Search results looked at (a payment on two pages of a run counts twice; rare). */
  seen: number;
  /** Not in our projection at all. */
  missing: number;
  /** In it at an older date_last_updated, or with another status. */
  stale: number;
  /** Missing or stale ones whose processing was started by this run. */
  dispatched: number;
  /** Missing or stale ones already handed over by an earlier run (same payment state). */
  alreadyDispatched: number;
  /** Missing or stale ones stored at MercadoPago's state before the batch ended. */
  fixed: number;
  byCurrency: Record<string, CurrencyTotals>;
}

export interface ReconciliationInput {
  /** Carried by continue-as-new (a huge window); absent on a scheduled run. */
  carried?: {
    runId: string;
    startedAt: string;
    opened: ReconciliationOpened;
    cursor: SearchCursor;
    counts: ReconciliationCounts;
    batches: number;
  };
}

export interface ReconciliationOpened {
  window: ReconciliationWindow;
  /** No earlier run: the window is the configured lookback. */
  firstRun: boolean;
  /** Consecutive drifting runs that raise the alert (RECONCILIATION_DRIFT_RUNS). */
  driftRuns: number;
}

export interface ReconciliationBatchResult {
  counts: ReconciliationCounts;
  /** Absent when the window is exhausted. */
  next?: SearchCursor;
  pages: number;
}

export interface ReconciliationRunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  window: ReconciliationWindow;
  counts: ReconciliationCounts;
  drift: boolean;
}

export interface ReconciliationResult extends ReconciliationRunRecord {
  firstRun: boolean;
  /** Drifting runs in a row, this one included (0 after a clean run). */
  consecutiveDriftRuns: number;
  alert: 'raised' | 'cleared' | 'none';
  batches: number;
}

export const emptyCounts = (): ReconciliationCounts => ({ seen: 0, missing: 0, stale: 0, dispatched: 0, alreadyDispatched: 0, fixed: 0, byCurrency: {} });

/** Sums two batches' counts (pure: used by the workflow). */
export function addCounts(a: ReconciliationCounts, b: ReconciliationCounts): ReconciliationCounts {
  const byCurrency: Record<string, CurrencyTotals> = {};
  for (const [cur, t] of [...Object.entries(a.byCurrency), ...Object.entries(b.byCurrency)]) {
    const s = (byCurrency[cur] ??= { seen: 0, seenAmountMinor: 0, drift: 0, driftAmountMinor: 0 });
    s.seen += t.seen;
    s.seenAmountMinor += t.seenAmountMinor;
    s.drift += t.drift;
    s.driftAmountMinor += t.driftAmountMinor;
  }
  return {
    seen: a.seen + b.seen,
    missing: a.missing + b.missing,
    stale: a.stale + b.stale,
    dispatched: a.dispatched + b.dispatched,
    alreadyDispatched: a.alreadyDispatched + b.alreadyDispatched,
    fixed: a.fixed + b.fixed,
    byCurrency,
  };
}

/** The daily report (per day in SCHEDULE_TIMEZONE), as kept and as the API answers it. */
export interface ReconciliationDailyReport extends ReconciliationCounts {
  date: string;
  timezone: string;
  runs: number;
  driftRuns: number;
  firstRunAt: string;
  lastRunAt: string;
  /** The earliest window start and latest window end of the day's runs. */
  coveredFrom: string;
  coveredTo: string;
}
