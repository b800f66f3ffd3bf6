import { proxyActivities } from '@temporalio/workflow';
import type { createPayoutActivities } from '../../activities/mongodb/commissions';
import type { PayoutBatchResult } from '../../contracts/commissions';
import { retriedUntilDone } from '../retry-policies';

const payouts = proxyActivities<ReturnType<typeof createPayoutActivities>>({ ...retriedUntilDone, startToCloseTimeout: '10 minutes' });

/** The month before `at`, as YYYY-MM (UTC): the schedule runs on the 1st, paying the month that ended. */
export function previousMonth(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The monthly payout batch, started by the Temporal Schedule `commission-payout-monthly` (or by
 * an admin for a given period): what to pay each affiliate whose balance reached their minimum.
 */
export async function commissionPayoutBatch(input: { period?: string } = {}): Promise<PayoutBatchResult> {
  return payouts.runPayoutBatch({ period: input.period ?? previousMonth(new Date()) });
}
