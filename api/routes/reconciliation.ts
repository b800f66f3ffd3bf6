import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { formatMinorUnits, isCurrency } from '../../common/money';
import { RECONCILIATION_SCHEDULE_ID, type ReconciliationDailyReport } from '../../contracts/reconciliation';
import { localDay } from '../../domain/persistence/counters';
import { dailyReport, reconciliationReport, reconciliationReports, reconciliationRunsOf } from '../../domain/payments/reconciliation';
import { requireStaff } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';

const DAY_MS = 86_400_000;
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date');

export const reportsQuery = z
  .object({
    from: isoDay.optional().describe('first day (YYYY-MM-DD in SCHEDULE_TIMEZONE); default: 6 days before `to`'),
    to: isoDay.optional().describe('last day, inclusive; default: today'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'must not be after to' })
  .refine((q) => !q.from || !q.to || Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`) <= 366 * DAY_MS, { path: ['from'], message: 'the range may span at most 366 days' });
export const reportParams = z.object({ date: isoDay });

const amount = (minor: number, currency: string) => (isCurrency(currency) ? formatMinorUnits(minor, currency) : null);

/** A daily report as the API answers it: counts, and money per currency as decimal text plus integer minor units. */
function present(r: ReconciliationDailyReport) {
  return {
    date: r.date,
    timezone: r.timezone,
    runs: r.runs,
    drift_runs: r.driftRuns,
    seen: r.seen,
    missing: r.missing,
    stale: r.stale,
    dispatched: r.dispatched,
    already_dispatched: r.alreadyDispatched,
    fixed: r.fixed,
    by_currency: Object.fromEntries(
      Object.entries(r.byCurrency)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cur, t]) => [
          cur,
          { seen: t.seen, seen_amount: amount(t.seenAmountMinor, cur), seen_amount_minor: t.seenAmountMinor, drift: t.drift, drift_amount: amount(t.driftAmountMinor, cur), drift_amount_minor: t.driftAmountMinor },
        ]),
    ),
    first_run_at: r.firstRunAt,
    last_run_at: r.lastRunAt,
    covered_from: r.coveredFrom,
    covered_to: r.coveredTo,
  };
}

/** The daily reconciliation reports (viewer) and a run now (operator: triggers the Schedule). */
export function reconciliationRouter(deps: { config: Pick<Config, 'SCHEDULE_TIMEZONE'>; temporal: Client }) {
  const router = apiRouter();
  const tz = deps.config.SCHEDULE_TIMEZONE;

  router.get('/reconciliation/reports', requireStaff('viewer'), async (req, res) => {
    const q = reportsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const to = q.data.to ?? localDay(new Date(), tz).day;
    const from = q.data.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10);
    if (from > to) throw new HttpError(400, 'invalid_request', 'from: must not be after to', { field: 'from', in: 'query' });
    res.json({ from, to, timezone: tz, items: (await reconciliationReports(from, to)).map(present) });
  });

  router.get('/reconciliation/reports/:date', requireStaff('viewer'), async (req, res) => {
    const p = reportParams.safeParse(req.params);
    if (!p.success) throw validationError(p.error, 'params');
    // A day without runs is a report too (runs: 0): silence is visible, never a 404 to misread.
    const report = (await reconciliationReport(p.data.date)) ?? dailyReport(p.data.date, tz, []);
    const runs = await reconciliationRunsOf(p.data.date);
    res.json({
      ...present(report),
      runs_list: runs.map((r) => ({ run_id: r.runId, started_at: r.startedAt, finished_at: r.finishedAt, window: r.window, drift: r.drift, seen: r.counts.seen, missing: r.counts.missing, stale: r.counts.stale, fixed: r.counts.fixed })),
    });
  });

  /** Runs reconciliation now: the Schedule's own action (overlap SKIP: a run in progress is not doubled). */
  router.post('/reconciliation/run', requireStaff('operator'), async (_req, res) => {
    const handle = deps.temporal.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
    try {
      await handle.trigger();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new HttpError(409, 'schedule_missing', `the Schedule ${RECONCILIATION_SCHEDULE_ID} does not exist yet: a worker registers it at start-up`);
      throw err;
    }
    res.status(202).json({ schedule_id: RECONCILIATION_SCHEDULE_ID, triggered_at: new Date().toISOString(), note: 'the run is started by the Schedule (skipped if one is still running); its report: GET /api/v1/reconciliation/reports' });
  });

  return router;
}
