/**
 * GoHighLevel OAuth: access tokens live ~24 h and refresh tokens rotate (each is single use), so
 * the current pair is kept in MongoDB (encrypted with DATA_ENCRYPTION_KEY) and renewed by the
 * `ghl-token-refresh` Schedule. Without an OAuth app configured, GHL_ACCESS_TOKEN is used as is
 * (a private-integration token).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../../common/config';
import { decryptField, encryptField, keyFromBase64 } from '../../common/crypto';
import { OAuthCredential } from '../../domain/persistence/models/metric-count';

export const GHL_CREDENTIAL_ID = 'gohighlevel';
/** GoHighLevel refresh tokens stay valid for a year unless used (then the new one does). */
const REFRESH_TOKEN_LIFETIME_MS = 365 * 86_400_000;
const CACHE_MS = 60_000;

type OAuthConfig = Pick<Config, 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_CLIENT_ID' | 'GHL_CLIENT_SECRET' | 'GHL_REFRESH_TOKEN' | 'DATA_ENCRYPTION_KEY'>;

export const ghlOAuthConfigured = (c: OAuthConfig) => !!(c.GHL_CLIENT_ID && c.GHL_CLIENT_SECRET && c.GHL_REFRESH_TOKEN);

/** The access token to use now: the stored OAuth one while valid, else the configured one. */
export function ghlTokenSource(config: OAuthConfig): string | (() => Promise<string>) {
  if (!ghlOAuthConfigured(config)) return config.GHL_ACCESS_TOKEN;
  const key = keyFromBase64(config.DATA_ENCRYPTION_KEY);
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const doc = await OAuthCredential.findById(GHL_CREDENTIAL_ID).lean<{ accessTokenEnc?: string; accessExpiresAt?: Date }>();
    const valid = doc?.accessTokenEnc && doc.accessExpiresAt && doc.accessExpiresAt.getTime() > Date.now();
    const token = valid ? decryptField(key, doc.accessTokenEnc!) : config.GHL_ACCESS_TOKEN;
    cached = { token, until: Date.now() + CACHE_MS };
    return token;
  };
}

export interface TokenRefreshResult {
  refreshed: boolean;
  reason?: string;
  accessExpiresAt?: string;
  expiresAt?: string;
}

export async function refreshGhlToken(config: OAuthConfig): Promise<TokenRefreshResult> {
  if (!ghlOAuthConfigured(config)) return { refreshed: false, reason: 'no OAuth app configured (GHL_CLIENT_ID, GHL_CLIENT_SECRET, GHL_REFRESH_TOKEN)' };
  const key = keyFromBase64(config.DATA_ENCRYPTION_KEY);
  const stored = await OAuthCredential.findById(GHL_CREDENTIAL_ID).lean<{ refreshTokenEnc?: string }>();
  const refreshToken = stored?.refreshTokenEnc ? decryptField(key, stored.refreshTokenEnc) : config.GHL_REFRESH_TOKEN!;
  const res = await fetch(`${config.GHL_BASE_URL}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: config.GHL_CLIENT_ID!, client_secret: config.GHL_CLIENT_SECRET!, grant_type: 'refresh_token', refresh_token: refreshToken, user_type: 'Location' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; expires_in?: number; message?: unknown };
  if (!res.ok || !body.access_token || !body.refresh_token) {
    const message = `GoHighLevel token refresh answered ${res.status}: ${JSON.stringify(body.message ?? body).slice(0, 200)}`;
    await OAuthCredential.updateOne({ _id: GHL_CREDENTIAL_ID }, { $set: { lastError: message } }, { upsert: true });
    // A rejected refresh token (401/400/422) will not heal by retrying; a person must re-authorise.
    if (res.status >= 400 && res.status < 500 && res.status !== 429) throw ApplicationFailure.nonRetryable(message, 'OAuthRefreshRejected');
    throw new Error(message);
  }
  const now = Date.now();
  const accessExpiresAt = new Date(now + (body.expires_in ?? 86_399) * 1000);
  const expiresAt = new Date(now + REFRESH_TOKEN_LIFETIME_MS);
  await OAuthCredential.updateOne(
    { _id: GHL_CREDENTIAL_ID },
    { $set: { accessTokenEnc: encryptField(key, body.access_token), refreshTokenEnc: encryptField(key, body.refresh_token), accessExpiresAt, expiresAt, refreshedAt: new Date(now) }, $unset: { lastError: '' } },
    { upsert: true },
  );
  return { refreshed: true, accessExpiresAt: accessExpiresAt.toISOString(), expiresAt: expiresAt.toISOString() };
}
