import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createDigestEmailActivities } from '../../activities/email/weekly-digest';
import type { createWeeklyDigestStoreActivities } from '../../activities/mongodb/ops';
import type { WeeklyDigestInput, WeeklyDigestResult } from '../../contracts/ops';
import { databaseStep, emailSend, retriedUntilDone } from '../retry-policies';

const store = proxyActivities<ReturnType<typeof createWeeklyDigestStoreActivities>>(databaseStep);
// Recording the outcome must happen: a sent week left "sending" would be mailed again by a re-run.
const bookkeeping = proxyActivities<ReturnType<typeof createWeeklyDigestStoreActivities>>(retriedUntilDone);
// The product's mail schedule: first try, then 1, 5 and 15 minutes later; then this run fails.
const mail = proxyActivities<ReturnType<typeof createDigestEmailActivities>>(emailSend);

/**
 * The weekly digest of low-severity incidents (its Schedule: DIGEST_CRON in SCHEDULE_TIMEZONE,
 * Monday 09:00 by default). Low incidents are not paged one by one; this mails the on-call list
 * every low incident open during the last 7 days, once per ISO week: the run claims the week,
 * sends (Message-ID fixed per week), and records it sent. A run for a week already sent sends
 * nothing; a run whose mail gives up releases the week and fails (visible in the Web UI), so the
 * next run or a re-run sends it.
 */
export async function weeklyDigest(input: WeeklyDigestInput = {}): Promise<WeeklyDigestResult> {
  const at = input.at ?? new Date(Date.now()).toISOString();
  const owner = workflowInfo().workflowId;
  const claim = await store.claimWeeklyDigest({ at, owner });
  const period = { week: claim.week, from: claim.from, to: claim.to };
  if (!claim.proceed) {
    return { ...period, sent: false, skipped: claim.status === 'sent' ? `the digest of ${claim.week} was sent already (${claim.owner})` : `${claim.owner} is sending the digest of ${claim.week}` };
  }
  let sent: Awaited<ReturnType<typeof mail.sendWeeklyDigest>>;
  try {
    sent = await mail.sendWeeklyDigest(period);
  } catch (err) {
    await bookkeeping.releaseWeeklyDigest({ week: claim.week, owner });
    throw err;
  }
  await bookkeeping.markWeeklyDigestSent({ week: claim.week, owner, ...sent });
  return { ...period, sent: true, messageId: sent.messageId, recipients: sent.recipients, counts: sent.counts };
}
