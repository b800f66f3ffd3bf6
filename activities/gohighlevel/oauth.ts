/**
 * GoHighLevel's OAuth token refresh (the `ghl-token-refresh` Schedule): the HTTP exchange here,
 * the encrypted credential store in domain/crm/gohighlevel-credentials.ts.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { TokenRefreshResult } from '../../contracts/ops';
import { currentRefreshToken, ghlOAuthConfigured, recordRefreshError, saveRefreshedTokens, type GhlOAuthConfig } from '../../domain/crm/gohighlevel-credentials';

export async function refreshGhlToken(config: GhlOAuthConfig): Promise<TokenRefreshResult> {
  if (!ghlOAuthConfigured(config)) return { refreshed: false, reason: 'no OAuth app configured (GHL_CLIENT_ID, GHL_CLIENT_SECRET, GHL_REFRESH_TOKEN)' };
  const refreshToken = await currentRefreshToken(config);
  const res = await fetch(`${config.GHL_BASE_URL}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: config.GHL_CLIENT_ID!, client_secret: config.GHL_CLIENT_SECRET!, grant_type: 'refresh_token', refresh_token: refreshToken, user_type: 'Location' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; expires_in?: number; message?: unknown };
  if (!res.ok || !body.access_token || !body.refresh_token) {
    const message = `GoHighLevel token refresh answered ${res.status}: ${JSON.stringify(body.message ?? body).slice(0, 200)}`;
    await recordRefreshError(message);
    // A rejected refresh token (401/400/422) will not heal by retrying; a person must re-authorise.
    if (res.status >= 400 && res.status < 500 && res.status !== 429) throw ApplicationFailure.nonRetryable(message, 'OAuthRefreshRejected');
    throw new Error(message);
  }
  const { accessExpiresAt, expiresAt } = await saveRefreshedTokens(config, { accessToken: body.access_token, refreshToken: body.refresh_token, expiresInSeconds: body.expires_in });
  return { refreshed: true, accessExpiresAt: accessExpiresAt.toISOString(), expiresAt: expiresAt.toISOString() };
}
