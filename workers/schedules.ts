/**
 * Temporal Schedules of the product, registered idempotently at worker start-up: created when
 * missing, updated when their spec changed (the spec's fingerprint is kept in the schedule's note),
 * left alone otherwise. Several workers starting at once are fine: the loser of a create gets
 * "already exists" and moves on.
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../common/config';

export const PAYOUT_SCHEDULE_ID = 'commission-payout-monthly';

export function productSchedules(config: Config): ScheduleOptions[] {
  return [
    {
      scheduleId: PAYOUT_SCHEDULE_ID,
      spec: { cronExpressions: [config.PAYOUT_SCHEDULE_CRON], timezone: config.SCHEDULE_TIMEZONE },
      action: { type: 'startWorkflow', workflowType: 'commissionPayoutBatch', taskQueue: 'commissions', args: [{}], workflowId: 'commission-payout-batch' },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    },
  ];
}

const fingerprint = (s: ScheduleOptions) => `spec:${createHash('sha256').update(JSON.stringify({ spec: s.spec, action: s.action, policies: s.policies })).digest('hex').slice(0, 16)}`;

export async function ensureSchedules(client: Client, config: Config): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
  const outcome: Record<string, 'created' | 'updated' | 'unchanged'> = {};
  for (const s of productSchedules(config)) {
    const note = fingerprint(s);
    const handle = client.schedule.getHandle(s.scheduleId);
    try {
      const current = await handle.describe();
      if (current.state.note === note) {
        outcome[s.scheduleId] = 'unchanged';
        continue;
      }
      await handle.update((prev) => ({ ...prev, spec: s.spec, action: s.action as never, policies: { ...prev.policies, ...s.policies }, state: { ...prev.state, note } }));
      outcome[s.scheduleId] = 'updated';
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      try {
        await client.schedule.create({ ...s, state: { note } });
        outcome[s.scheduleId] = 'created';
      } catch (e) {
        if (!(e instanceof ScheduleAlreadyRunning)) throw e;
        outcome[s.scheduleId] = 'unchanged';
      }
    }
  }
  return outcome;
}
