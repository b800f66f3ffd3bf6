import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createReconciliationActivities } from '../../activities/mercadopago/reconciliation';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import {
  addCounts,
  emptyCounts,
  RECONCILIATION_DRIFT_ALERT_KEY,
  RECONCILIATION_DRIFT_MESSAGE,
  type ReconciliationInput,
  type ReconciliationResult,
} from '../../contracts/reconciliation';
import { alertingWithinAMinute, databaseStep, reconciliationBatch, retriedUntilDone } from '../retry-policies';

type Activities = ReturnType<typeof createReconciliationActivities>;
const store = proxyActivities<Activities>(databaseStep);
const search = proxyActivities<Activities>(reconciliationBatch);
// The run's record and the state the next run starts from must be written once the window is done.
const bookkeeping = proxyActivities<Activities>(retriedUntilDone);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingWithinAMinute);

/** Batches per execution before continuing as new (a huge window keeps each history small). */
const BATCHES_PER_EXECUTION = 40;

/**
 * Every RECONCILIATION_INTERVAL_MINUTES (its Schedule `payments-reconciliation`, overlap SKIP):
 * pages through MercadoPago's payments search by date_last_updated over a window that overlaps the
 * previous run's, sends each payment our projection misses or holds at an older state through the
 * webhook pipeline's own workflow (started by the batch activity), and records the run. A run that
 * finds any records drift; RECONCILIATION_DRIFT_RUNS drifting runs in a row raise
 * `reconciliation_drift` ("MercadoPago notifications look broken"); a clean run clears it.
 */
export async function reconcilePayments(input: ReconciliationInput = {}): Promise<ReconciliationResult> {
  const info = workflowInfo();
  const carried = input.carried;
  const startedAt = carried?.startedAt ?? new Date(Date.now()).toISOString();
  const opened = carried?.opened ?? (await store.openReconciliationRun({ now: startedAt }));
  let cursor = carried?.cursor;
  let counts = carried?.counts ?? emptyCounts();
  let batches = carried?.batches ?? 0;

  for (let here = 1; ; here++) {
    const batch = await search.reconcilePaymentsBatch({ window: opened.window, cursor });
    counts = addCounts(counts, batch.counts);
    batches++;
    if (!batch.next) break;
    cursor = batch.next;
    if (here >= BATCHES_PER_EXECUTION || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof reconcilePayments>({ carried: { runId: info.workflowId, startedAt, opened, cursor, counts, batches } });
    }
  }

  const drift = counts.missing + counts.stale > 0;
  const record = { runId: carried?.runId ?? info.workflowId, startedAt, finishedAt: new Date(Date.now()).toISOString(), window: opened.window, counts, drift };
  const { consecutiveDriftRuns } = await bookkeeping.finishReconciliationRun(record);

  let alert: ReconciliationResult['alert'] = 'none';
  if (drift && consecutiveDriftRuns >= opened.driftRuns) {
    await alerting.raiseAlert({
      dedupKey: RECONCILIATION_DRIFT_ALERT_KEY,
      rule: 'reconciliation_drift',
      title: RECONCILIATION_DRIFT_MESSAGE,
      message: `${RECONCILIATION_DRIFT_MESSAGE}: ${consecutiveDriftRuns} reconciliation runs in a row found payments we were not notified of (this run: ${counts.missing} missing, ${counts.stale} stale of ${counts.seen} seen, window ${opened.window.start} – ${opened.window.end})`,
      source: info.workflowId,
      details: { consecutiveDriftRuns, missing: counts.missing, stale: counts.stale, seen: counts.seen, window: opened.window },
      at: record.finishedAt,
    });
    alert = 'raised';
  } else if (!drift) {
    await alerting.clearAlert({ dedupKey: RECONCILIATION_DRIFT_ALERT_KEY, note: `reconciliation run ${record.runId} found every payment in sync` });
    alert = 'cleared';
  }
  return { ...record, firstRun: opened.firstRun, consecutiveDriftRuns, alert, batches };
}
