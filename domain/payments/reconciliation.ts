/**
 * Payments reconciliation: what MercadoPago's payments search says against what our projection
 * holds, and the repair — every missing or stale payment goes through the webhook pipeline's own
 * workflow (processMercadoPagoNotificationV2), so a payment state is processed once in effect
 * whichever path (webhook or reconciliation) sees it first: savePayment is monotonic by
 * date_last_updated and claims transitions, and the synthetic event id is one per payment state.
 *
 * Pure rules (window, classification) are at the top; the store and the batch below them.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../../common/config';
import { toMinor } from './minor-units';
import {
  addCounts,
  emptyCounts,
  reconciliationEventId,
  type ReconciliationBatchResult,
  type ReconciliationCounts,
  type ReconciliationDailyReport,
  type ReconciliationOpened,
  type ReconciliationRunRecord,
  type ReconciliationWindow,
  type SearchCursor,
} from '../../contracts/reconciliation';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { mercadoPagoNotificationWorkflow, notificationWorkflowId, type MercadoPagoNotification } from '../../contracts/webhooks';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { localDay } from '../persistence/counters';
import { Payment } from '../persistence/models/payment';
import { ReconciliationReport, ReconciliationRun, ReconciliationState } from '../persistence/models/reconciliation';
import { insertOnce } from '../persistence/write-patterns';

export type ReconciliationConfig = Pick<
  Config,
  | 'RECONCILIATION_INTERVAL_MINUTES'
  | 'RECONCILIATION_OVERLAP_MINUTES'
  | 'RECONCILIATION_LOOKBACK_HOURS'
  | 'RECONCILIATION_GRACE_SECONDS'
  | 'RECONCILIATION_DRIFT_RUNS'
  | 'SCHEDULE_TIMEZONE'
  | 'GHL_APPROVED_TAG'
>;

const STATE_ID = 'mercadopago';
/** Results per search page, and pages per batch activity: a batch's result stays small in history. */
export const SEARCH_PAGE_SIZE = 100;
export const PAGES_PER_BATCH = 5;
/** How long a batch waits for the payments it handed over to be stored (then `fixed` counts them). */
export const FIX_WAIT_MS = 20_000;

// ---- Pure rules ------------------------------------------------------------------------------

/**
 * The window of a run at `now`: from the previous window's end minus the overlap (a notification
 * MercadoPago dated just before our last end, or clocks a little apart, is looked at twice, never
 * missed) — or, on the first run, `now` minus the lookback — up to `now` minus the grace (a
 * payment updated in the last seconds may have its webhook in flight; the next run covers it).
 */
export function reconciliationWindow(input: { now: Date; lastWindowEnd?: Date; overlapMinutes: number; lookbackHours: number; graceSeconds: number }): ReconciliationWindow {
  const end = input.now.getTime() - input.graceSeconds * 1000;
  const from = input.lastWindowEnd ? input.lastWindowEnd.getTime() - input.overlapMinutes * 60_000 : input.now.getTime() - input.lookbackHours * 3_600_000;
  return { start: new Date(Math.min(from, end)).toISOString(), end: new Date(end).toISOString() };
}

export type Verdict = 'in_sync' | 'missing' | 'stale';

/** A stored projection (or none) against MercadoPago's payment: missing, or stale (an older date_last_updated, or the same one with another status). */
export function classify(stored: { version?: number; status?: string } | null | undefined, mp: { status: string; date_last_updated: string }): Verdict {
  if (!stored) return 'missing';
  const version = Date.parse(mp.date_last_updated);
  const storedVersion = stored.version ?? 0;
  // A newer stored state is ahead of this search result, not behind it.
  if (storedVersion < version || (storedVersion === version && stored.status !== mp.status)) return 'stale';
  return 'in_sync';
}

/** The next cursor after a page sorted ascending by date_last_updated (keyset, offset only within a tie). */
export function nextCursor(cursor: SearchCursor, page: { date_last_updated: string }[]): SearchCursor {
  const last = page[page.length - 1].date_last_updated;
  const lastMs = Date.parse(last);
  let tie = 0;
  for (const p of page) if (Date.parse(p.date_last_updated) === lastMs) tie++;
  const sameBegin = Date.parse(cursor.begin) === lastMs;
  return { begin: new Date(lastMs).toISOString(), skip: sameBegin ? cursor.skip + tie : tie };
}

/** The daily report of a day's runs (pure). */
export function dailyReport(date: string, timeZone: string, runs: ReconciliationRunRecord[]): ReconciliationDailyReport {
  const counts = runs.reduce<ReconciliationCounts>((acc, r) => addCounts(acc, r.counts), emptyCounts());
  const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return {
    date,
    timezone: timeZone,
    runs: runs.length,
    driftRuns: runs.filter((r) => r.drift).length,
    seen: counts.seen,
    missing: counts.missing,
    stale: counts.stale,
    dispatched: counts.dispatched,
    alreadyDispatched: counts.alreadyDispatched,
    fixed: counts.fixed,
    byCurrency: counts.byCurrency,
    firstRunAt: sorted[0]?.startedAt,
    lastRunAt: sorted[sorted.length - 1]?.finishedAt,
    coveredFrom: runs.map((r) => r.window.start).sort()[0],
    coveredTo: runs.map((r) => r.window.end).sort().reverse()[0],
  };
}

// ---- What the search gives (MercadoPago's payment, the fields used here) ---------------------

export interface SearchedPayment {
  id: number | string;
  status: string;
  transaction_amount: number;
  currency_id: string;
  date_last_updated: string;
}

export type SearchPage = (q: { beginDate: string; endDate: string; offset: number; limit: number }) => Promise<{ paging: { total: number }; results: SearchedPayment[] }>;

// ---- The store: state, runs, daily reports ----------------------------------------------------

export function reconciliationStore(config: ReconciliationConfig) {
  const tz = config.SCHEDULE_TIMEZONE;
  return {
    /** The window of the run starting at `now`, from the last completed window. */
    async openRun(input: { now: string }): Promise<ReconciliationOpened> {
      const state = await ReconciliationState.findById(STATE_ID).lean<{ lastWindowEnd: Date } | null>();
      const window = reconciliationWindow({
        now: new Date(input.now),
        lastWindowEnd: state?.lastWindowEnd ? new Date(state.lastWindowEnd) : undefined,
        overlapMinutes: config.RECONCILIATION_OVERLAP_MINUTES,
        lookbackHours: config.RECONCILIATION_LOOKBACK_HOURS,
        graceSeconds: config.RECONCILIATION_GRACE_SECONDS,
      });
      return { window, firstRun: !state, driftRuns: config.RECONCILIATION_DRIFT_RUNS };
    },

    /**
     * Records the run (once), recomputes its day's report, and moves the state on: the window end
     * (never backwards) and the drifting runs in a row. A retry of the same run changes nothing.
     */
    async finishRun(run: ReconciliationRunRecord): Promise<{ consecutiveDriftRuns: number }> {
      const { day } = localDay(new Date(run.startedAt), tz);
      await insertOnce(ReconciliationRun, {
        _id: run.runId,
        day,
        startedAt: new Date(run.startedAt),
        finishedAt: new Date(run.finishedAt),
        windowStart: new Date(run.window.start),
        windowEnd: new Date(run.window.end),
        drift: run.drift,
        counts: run.counts,
      });
      await this.refreshReport(day);
      const state = await ReconciliationState.findById(STATE_ID).lean<{ lastWindowEnd: Date; lastRunId: string; consecutiveDriftRuns: number } | null>();
      if (state?.lastRunId === run.runId) return { consecutiveDriftRuns: state.consecutiveDriftRuns };
      const consecutiveDriftRuns = run.drift ? (state?.consecutiveDriftRuns ?? 0) + 1 : 0;
      const end = new Date(Math.max(new Date(run.window.end).getTime(), state ? new Date(state.lastWindowEnd).getTime() : 0));
      await ReconciliationState.updateOne(
        { _id: STATE_ID },
        { $set: { lastWindowEnd: end, lastRunId: run.runId, consecutiveDriftRuns, updatedAt: new Date() } },
        { upsert: true },
      );
      return { consecutiveDriftRuns };
    },

    /** The day's report from its runs (idempotent: recomputed, never incremented). */
    async refreshReport(day: string): Promise<ReconciliationDailyReport> {
      const docs = await ReconciliationRun.find({ day }).lean<any[]>();
      const report = dailyReport(day, tz, docs.map(runOfDoc));
      await ReconciliationReport.updateOne({ _id: day }, { $set: { report, updatedAt: new Date() } }, { upsert: true });
      return report;
    },
  };
}

const runOfDoc = (d: any): ReconciliationRunRecord => ({
  runId: d._id,
  startedAt: new Date(d.startedAt).toISOString(),
  finishedAt: new Date(d.finishedAt).toISOString(),
  window: { start: new Date(d.windowStart).toISOString(), end: new Date(d.windowEnd).toISOString() },
  counts: d.counts,
  drift: d.drift,
});

/** Reports of the days from..to (YYYY-MM-DD, inclusive), oldest first. */
export async function reconciliationReports(from: string, to: string): Promise<ReconciliationDailyReport[]> {
  const docs = await ReconciliationReport.find({ _id: { $gte: from, $lte: to } }).lean<{ _id: string; report: ReconciliationDailyReport }[]>();
  return docs.map((d) => d.report).sort((a, b) => a.date.localeCompare(b.date));
}

export async function reconciliationReport(date: string): Promise<ReconciliationDailyReport | null> {
  const doc = await ReconciliationReport.findById(date).lean<{ report: ReconciliationDailyReport } | null>();
  return doc?.report ?? null;
}

/** The last runs, newest first (for the API's report of a day). */
export async function reconciliationRunsOf(day: string): Promise<ReconciliationRunRecord[]> {
  const docs = await ReconciliationRun.find({ day }).lean<any[]>();
  return docs.map(runOfDoc).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

// ---- The batch: search pages, compare, hand over ----------------------------------------------

/**
 * Starts the webhook pipeline's workflow for one payment state, exactly as a verified delivery
 * would (same workflow, id scheme, search attributes). One event id per payment state: a second
 * run finding the same state gets "already started" (`duplicate`), a newer state is a new event.
 */
export async function dispatchPayment(client: Client, p: SearchedPayment, config: Pick<Config, 'GHL_APPROVED_TAG'>, now = new Date()): Promise<'started' | 'duplicate'> {
  const paymentId = String(p.id);
  const eventId = reconciliationEventId(paymentId, p.date_last_updated);
  const n = {
    eventId,
    source: 'reconciliation',
    type: 'payment',
    action: 'reconciliation',
    resourceId: paymentId,
    receivedAt: now.toISOString(),
    crmApprovedTag: config.GHL_APPROVED_TAG,
  } satisfies MercadoPagoNotification;
  try {
    await client.workflow.start<WorkflowOf<typeof mercadoPagoNotificationWorkflow>>(mercadoPagoNotificationWorkflow.type, {
      taskQueue: mercadoPagoNotificationWorkflow.taskQueue,
      workflowId: notificationWorkflowId(eventId),
      args: [n],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: Provider, value: 'mercadopago' },
        { key: WebhookStatus, value: 'received' },
        { key: PaymentId, value: paymentId },
      ],
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
    throw err;
  }
}

const storedOf = (ids: string[]) =>
  // By _id one at a time: FerretDB v1 uses an index only for {_id: x}.
  Promise.all(ids.map((id) => Payment.findById(id, { version: 1, status: 1 }).lean<{ version: number; status: string } | null>()));

/**
 * One batch of a run: up to PAGES_PER_BATCH search pages from `cursor`, each result compared with
 * the projection, the missing and stale handed over; then a short wait for them to be stored.
 */
export async function reconcileBatch(deps: {
  search: SearchPage;
  dispatch: (p: SearchedPayment) => Promise<'started' | 'duplicate'>;
  window: ReconciliationWindow;
  cursor?: SearchCursor;
  heartbeat?: (d: unknown) => void;
  fixWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The stored projections of ids (default: the payments collection). */
  stored?: (ids: string[]) => Promise<({ version?: number; status?: string } | null)[]>;
}): Promise<ReconciliationBatchResult> {
  const read = deps.stored ?? storedOf;
  const counts = emptyCounts();
  let cursor: SearchCursor = deps.cursor ?? { begin: deps.window.start, skip: 0 };
  const handedOver: SearchedPayment[] = [];
  let pages = 0;
  let done = false;
  while (pages < PAGES_PER_BATCH) {
    const page = await deps.search({ beginDate: cursor.begin, endDate: deps.window.end, offset: cursor.skip, limit: SEARCH_PAGE_SIZE });
    pages++;
    const results = page.results;
    const stored = await read(results.map((p) => String(p.id)));
    for (let i = 0; i < results.length; i++) {
      const p = results[i];
      const minor = toMinor(p.transaction_amount, p.currency_id);
      const cur = (counts.byCurrency[p.currency_id] ??= { seen: 0, seenAmountMinor: 0, drift: 0, driftAmountMinor: 0 });
      counts.seen++;
      cur.seen++;
      cur.seenAmountMinor += minor;
      const verdict = classify(stored[i], p);
      if (verdict === 'in_sync') continue;
      counts[verdict]++;
      cur.drift++;
      cur.driftAmountMinor += minor;
      const outcome = await deps.dispatch(p);
      if (outcome === 'started') counts.dispatched++;
      else counts.alreadyDispatched++;
      handedOver.push(p);
    }
    deps.heartbeat?.({ cursor, pages });
    if (results.length < SEARCH_PAGE_SIZE) {
      done = true;
      break;
    }
    cursor = nextCursor(cursor, results);
  }
  counts.fixed = await waitFixed(handedOver, { ...deps, stored: read });
  return { counts, pages, ...(done ? {} : { next: cursor }) };
}

/** How many handed-over payments are stored at MercadoPago's state within the wait. */
async function waitFixed(
  list: SearchedPayment[],
  deps: { heartbeat?: (d: unknown) => void; fixWaitMs?: number; sleep?: (ms: number) => Promise<void>; stored: (ids: string[]) => Promise<({ version?: number; status?: string } | null)[]> },
): Promise<number> {
  if (list.length === 0) return 0;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (deps.fixWaitMs ?? FIX_WAIT_MS);
  let pending = list;
  for (;;) {
    const stored = await deps.stored(pending.map((p) => String(p.id)));
    pending = pending.filter((p, i) => classify(stored[i], p) !== 'in_sync');
    if (pending.length === 0 || Date.now() >= deadline) break;
    deps.heartbeat?.({ waitingFor: pending.length });
    await sleep(500);
  }
  return list.length - pending.length;
}
