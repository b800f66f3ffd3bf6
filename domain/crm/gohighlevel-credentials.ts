/**
 * GoHighLevel OAuth credentials: access tokens live ~24 h and refresh tokens rotate (each is
 * single use), so the current pair is kept in MongoDB (encrypted with DATA_ENCRYPTION_KEY) and
 * renewed by the `ghl-token-refresh` Schedule (activities/gohighlevel/oauth.ts makes the call).
 * Without an OAuth app configured, GHL_ACCESS_TOKEN is used as is (a private-integration token).
 */
import type { Config } from '../../common/config';
import { decryptField, encryptField, keyFromBase64 } from '../../common/crypto';
import { OAuthCredential } from '../persistence/models/metric-count';

export const GHL_CREDENTIAL_ID = 'gohighlevel';
/** GoHighLevel refresh tokens stay valid for a year unless used (then the new one does). */
const REFRESH_TOKEN_LIFETIME_MS = 365 * 86_400_000;
const CACHE_MS = 60_000;

export type GhlOAuthConfig = Pick<Config, 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_CLIENT_ID' | 'GHL_CLIENT_SECRET' | 'GHL_REFRESH_TOKEN' | 'DATA_ENCRYPTION_KEY'>;

export const ghlOAuthConfigured = (c: GhlOAuthConfig) => !!(c.GHL_CLIENT_ID && c.GHL_CLIENT_SECRET && c.GHL_REFRESH_TOKEN);

/** The access token to use now: the stored OAuth one while valid, else the configured one. */
export function ghlTokenSource(config: GhlOAuthConfig): string | (() => Promise<string>) {
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

/** The refresh token to spend next: the stored (rotated) one, else the configured one. */
export async function currentRefreshToken(config: GhlOAuthConfig): Promise<string> {
  const stored = await OAuthCredential.findById(GHL_CREDENTIAL_ID).lean<{ refreshTokenEnc?: string }>();
  return stored?.refreshTokenEnc ? decryptField(keyFromBase64(config.DATA_ENCRYPTION_KEY), stored.refreshTokenEnc) : config.GHL_REFRESH_TOKEN!;
}

/** Why the last refresh failed, for the metrics snapshot's credentials section. */
export async function recordRefreshError(message: string): Promise<void> {
  await OAuthCredential.updateOne({ _id: GHL_CREDENTIAL_ID }, { $set: { lastError: message } }, { upsert: true });
}

/** Stores a new token pair, encrypted; returns when each expires. */
export async function saveRefreshedTokens(config: GhlOAuthConfig, tokens: { accessToken: string; refreshToken: string; expiresInSeconds?: number }): Promise<{ accessExpiresAt: Date; expiresAt: Date }> {
  const key = keyFromBase64(config.DATA_ENCRYPTION_KEY);
  const now = Date.now();
  const accessExpiresAt = new Date(now + (tokens.expiresInSeconds ?? 86_399) * 1000);
  const expiresAt = new Date(now + REFRESH_TOKEN_LIFETIME_MS);
  await OAuthCredential.updateOne(
    { _id: GHL_CREDENTIAL_ID },
    { $set: { accessTokenEnc: encryptField(key, tokens.accessToken), refreshTokenEnc: encryptField(key, tokens.refreshToken), accessExpiresAt, expiresAt, refreshedAt: new Date(now) }, $unset: { lastError: '' } },
    { upsert: true },
  );
  return { accessExpiresAt, expiresAt };
}
