/**
 * API keys: bootstrap admin keys from the environment (API_KEYS), and keys with roles created by
 * admins (`npm run apikey`, POST /api/v1/api-keys), stored hashed in `api_keys`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKey, type ApiKeyRole } from '../../domain/persistence/models/api-key';

const sha256 = (s: string) => createHash('sha256').update(s).digest();
/** `pfk_<id>_<secret>`: the id is 12 hex characters, the secret 32 random bytes in base64url. */
const STORED_KEY = /^pfk_([0-9a-f]{12})_([\w-]{43})$/;
/** lastUsedAt is written at most this often per key, so reads do not each cost a write. */
const LAST_USED_EVERY_MS = 60_000;

export interface KeyIdentity {
  keyId: string;
  name: string;
  role: ApiKeyRole;
}

/** Compares against every configured key in constant time, so neither length nor prefix leaks. */
export function envKeyMatcher(keys: string[]): (presented: string) => KeyIdentity | undefined {
  const digests = keys.map(sha256);
  return (presented) => {
    const d = sha256(presented);
    let index = -1;
    digests.forEach((k, i) => {
      if (timingSafeEqual(k, d)) index = i;
    });
    return index < 0 ? undefined : { keyId: `env-${index + 1}`, name: `API_KEYS #${index + 1}`, role: 'admin' };
  };
}

export const looksLikeStoredKey = (s: string) => STORED_KEY.test(s);

/** The key's identity when it exists, is not revoked and its secret matches; undefined otherwise. */
export async function verifyStoredKey(presented: string): Promise<KeyIdentity | undefined> {
  const m = STORED_KEY.exec(presented);
  if (!m) return undefined;
  const doc = await ApiKey.findById(m[1]).lean();
  if (!doc || doc.revokedAt) return undefined;
  if (!timingSafeEqual(Buffer.from(doc.secretSha256, 'hex'), sha256(m[2]))) return undefined;
  const now = Date.now();
  if (!doc.lastUsedAt || now - doc.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    void ApiKey.updateOne({ _id: doc._id }, { $set: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
  return { keyId: doc._id, name: doc.name, role: doc.role as ApiKeyRole };
}

/** Creates a key; the secret is returned once and never stored. */
export async function createApiKey(input: { name: string; role: ApiKeyRole; createdBy: string }) {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const createdAt = new Date();
  await ApiKey.create({ _id: id, name: input.name, role: input.role, secretSha256: sha256(secret).toString('hex'), createdAt, createdBy: input.createdBy });
  return { id, name: input.name, role: input.role, created_at: createdAt.toISOString(), key: `pfk_${id}_${secret}` };
}

export type RevokeResult = { revoked: true; revokedAt: Date } | { revoked: false; reason: 'not_found' | 'already_revoked'; revokedAt?: Date };

export async function revokeApiKey(id: string, by: string): Promise<RevokeResult> {
  const doc = await ApiKey.findById(id).lean();
  if (!doc) return { revoked: false, reason: 'not_found' };
  if (doc.revokedAt) return { revoked: false, reason: 'already_revoked', revokedAt: doc.revokedAt };
  const revokedAt = new Date();
  await ApiKey.updateOne({ _id: id }, { $set: { revokedAt, revokedBy: by } });
  return { revoked: true, revokedAt };
}

export const presentApiKey = (doc: { _id: string; name: string; role: string; createdAt: Date; createdBy: string; revokedAt?: Date | null; lastUsedAt?: Date | null }) => ({
  id: doc._id,
  name: doc.name,
  role: doc.role,
  created_at: doc.createdAt,
  created_by: doc.createdBy,
  revoked_at: doc.revokedAt ?? null,
  last_used_at: doc.lastUsedAt ?? null,
  status: doc.revokedAt ? 'revoked' : 'active',
});
