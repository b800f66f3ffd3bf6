import { proxyActivities } from '@temporalio/workflow';
import type { createGoHighLevelActivities } from '../../activities/gohighlevel/activities';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import type { TokenRefreshResult } from '../../contracts/ops';
import { alertingWithinAMinute, goHighLevelScheduledCall } from '../retry-policies';

const crm = proxyActivities<ReturnType<typeof createGoHighLevelActivities>>(goHighLevelScheduledCall);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingWithinAMinute);

export const GHL_REFRESH_FAILED_KEY = 'oauth-refresh-failed:gohighlevel';

/**
 * Every GHL_TOKEN_REFRESH_HOURS (its Schedule): renews GoHighLevel's OAuth tokens well before the
 * 24 h access token expires. A refused refresh pages (someone must re-authorise the app); a good
 * one clears it.
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
