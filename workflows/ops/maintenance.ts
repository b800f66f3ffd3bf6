import { proxyActivities } from '@temporalio/workflow';
import type { createBackupActivities } from '../../domain/ops/backups';
import type { createGoHighLevelActivities } from '../../activities/gohighlevel/activities';
import type { TokenRefreshResult } from '../../activities/gohighlevel/oauth';
import type { createRetentionActivities } from '../../domain/ops/retention';
import type { createAlertingActivities } from '../../domain/ops/alerting';
import { alertingActivity, goHighLevelActivity, mongoActivity } from '../retry-policies';

const retention = proxyActivities<ReturnType<typeof createRetentionActivities>>(mongoActivity);
const backups = proxyActivities<ReturnType<typeof createBackupActivities>>(mongoActivity);
const crm = proxyActivities<ReturnType<typeof createGoHighLevelActivities>>(goHighLevelActivity);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingActivity);

/** Daily: expire ops data past its retention, and backups past theirs. */
export async function opsRetention(): Promise<{ data: Awaited<ReturnType<ReturnType<typeof createRetentionActivities>['cleanupOpsData']>>; backups: { kept: string[]; deleted: string[] } }> {
  const data = await retention.cleanupOpsData();
  const kept = await backups.applyBackupRetention();
  return { data, backups: kept };
}

export const GHL_REFRESH_FAILED_KEY = 'oauth-refresh-failed:gohighlevel';

/**
 * Every GHL_TOKEN_REFRESH_HOURS: renews GoHighLevel's OAuth tokens well before the 24 h access
 * token expires. A refused refresh pages (someone must re-authorise the app); a good one clears it.
 */
export async function goHighLevelTokenRefresh(): Promise<TokenRefreshResult> {
  try {
    const result = await crm.refreshGoHighLevelToken();
    if (result.refreshed) await alerting.clearAlert({ dedupKey: GHL_REFRESH_FAILED_KEY, note: 'token refreshed' });
    return result;
  } catch (err) {
    const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    await alerting.raiseAlert({ dedupKey: GHL_REFRESH_FAILED_KEY, rule: 'oauth_expiration', severity: 'high', title: 'GoHighLevel token refresh failed', message: reason, source: 'oauth' });
    throw err;
  }
}
