/**
 * Temporal Schedules of the product, registered idempotently at worker start-up: created when
 * missing, updated when their spec changed (the spec's fingerprint is kept in the schedule's note),
 * left alone otherwise. Several workers starting at once are fine: the loser of a create gets
 * "already exists" and moves on.
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../common/config';
import { commissionPayoutBatchWorkflow } from '../contracts/commissions';
import {
  databaseBackupWorkflow,
  goHighLevelTokenRefreshWorkflow,
  healthMonitorWorkflow,
  metricsSnapshotWorkflow,
  opsRetentionWorkflow,
  weeklyDigestWorkflow,
} from '../contracts/ops';
import { RECONCILIATION_SCHEDULE_ID, reconcilePaymentsWorkflow } from '../contracts/reconciliation';
import type { WorkflowRef } from '../contracts/workflow-ref';

export const PAYOUT_SCHEDULE_ID = 'commission-payout-monthly';
export const OPS_SCHEDULE_IDS = {
  healthMonitor: 'ops-health-monitor',
  metrics: 'ops-metrics-snapshot',
  backup: 'ops-database-backup',
  retention: 'ops-retention-daily',
  ghlTokenRefresh: 'ghl-token-refresh',
  weeklyDigest: 'ops-weekly-digest',
} as const;

const ops = (scheduleId: string, workflow: WorkflowRef, spec: ScheduleOptions['spec']): ScheduleOptions => ({
  scheduleId,
  spec,
  // The workflow id is the schedule's; Temporal appends the scheduled time to each run's id.
  action: { type: 'startWorkflow', workflowType: workflow.type, taskQueue: workflow.taskQueue, args: [], workflowId: scheduleId },
  // A run still going when the next is due: the next is skipped, never stacked.
  policies: { overlap: 'SKIP', catchupWindow: '10 minutes' },
});

export function productSchedules(config: Config): ScheduleOptions[] {
  const tz = config.SCHEDULE_TIMEZONE;
  return [
    ops(OPS_SCHEDULE_IDS.healthMonitor, healthMonitorWorkflow, { intervals: [{ every: `${config.HEALTH_CHECK_INTERVAL_SECONDS}s` }] }),
    ops(OPS_SCHEDULE_IDS.metrics, metricsSnapshotWorkflow, { intervals: [{ every: `${config.METRICS_INTERVAL_MINUTES}m` }] }),
    ops(OPS_SCHEDULE_IDS.backup, databaseBackupWorkflow, { cronExpressions: [config.BACKUP_CRON], timezone: tz }),
    ops(OPS_SCHEDULE_IDS.retention, opsRetentionWorkflow, { cronExpressions: [config.RETENTION_CRON], timezone: tz }),
    ops(OPS_SCHEDULE_IDS.ghlTokenRefresh, goHighLevelTokenRefreshWorkflow, { intervals: [{ every: `${config.GHL_TOKEN_REFRESH_HOURS}h` }] }),
    // Sent once per ISO week whatever runs it, so a run missed while Temporal was down may catch up for a day.
    { ...ops(OPS_SCHEDULE_IDS.weeklyDigest, weeklyDigestWorkflow, { cronExpressions: [config.DIGEST_CRON], timezone: tz }), policies: { overlap: 'SKIP', catchupWindow: '1 day' } },
    // MercadoPago's payments search against our projection; each run's window overlaps the last one's, so a skipped run loses nothing.
    ops(RECONCILIATION_SCHEDULE_ID, reconcilePaymentsWorkflow, { intervals: [{ every: `${config.RECONCILIATION_INTERVAL_MINUTES}m` }] }),
    {
      scheduleId: PAYOUT_SCHEDULE_ID,
      spec: { cronExpressions: [config.PAYOUT_SCHEDULE_CRON], timezone: config.SCHEDULE_TIMEZONE },
      action: { type: 'startWorkflow', workflowType: commissionPayoutBatchWorkflow.type, taskQueue: commissionPayoutBatchWorkflow.taskQueue, args: [{}], workflowId: 'commission-payout-batch' },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    },
  ];
}

const fingerprint = (s: ScheduleOptions) => `spec:${createHash('sha256').update(JSON.stringify({ spec: s.spec, action: s.action, policies: s.policies })).digest('hex').slice(0, 16)}`;

export async function ensureSchedules(client: Client, config: Config): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const outcome: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  const paused = config.SCHEDULES_PAUSED;
  for (const s of productSchedules(config)) {
    const note = fingerprint(s);
    const handle = client.schedule.getHandle(s.scheduleId);
    try {
      const current = await handle.describe();
      if (current.state.paused !== paused) await (paused ? handle.pause('SCHEDULES_PAUSED=true') : handle.unpause('SCHEDULES_PAUSED=false'));
      if (current.state.note === note) {
        outcome[s.scheduleId] = current.state.paused !== paused ? 'updated' : 'unchanged';
        continue;
      }
      await handle.update((prev) => ({ ...prev, spec: s.spec, action: s.action as never, policies: { ...prev.policies, ...s.policies }, state: { ...prev.state, note, paused } }));
      outcome[s.scheduleId] = 'updated';
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      try {
        await client.schedule.create({ ...s, state: { note, paused } });
        outcome[s.scheduleId] = 'created';
      } catch (e) {
        if (!(e instanceof ScheduleAlreadyRunning)) throw e;
        outcome[s.scheduleId] = 'unchanged';
      }
    }
  }
  return outcome;
}
