/**
 * Idempotency-Key semantics for creating orders: the same caller sending the same key with the
 * same request (method, path and body) within 24 h gets the same order; the same key with a
 * different request is refused (`IdempotencyKeyReused`), never silently answered with the first
 * order. After 24 h the key may name a new request.
 */
import { createHash } from 'node:crypto';
import { IdempotencyKey } from '../persistence/models/idempotency-key';
import { insertOnce } from '../persistence/write-patterns';

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

export class IdempotencyKeyReused extends Error {}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What identifies the request a key was first sent with. */
export const requestFingerprint = (r: { method: string; path: string; body: unknown }) => sha256(`${r.method}\n${r.path}\n${JSON.stringify(r.body ?? null)}`);

/** The order number this key stands for: claimed now for a new key, or the one it already names. */
export async function orderForIdempotencyKey(input: { caller: string; key: string; fingerprint: string; newOrderNumber: () => string; now?: Date }): Promise<{ orderNumber: string; repeat: boolean }> {
  const _id = sha256(`${input.caller}\n${input.key}`);
  const now = input.now ?? new Date();
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await IdempotencyKey.findById(_id).lean();
    if (stored && stored.expiresAt > now) {
      if (stored.fingerprint !== input.fingerprint) throw new IdempotencyKeyReused(`this Idempotency-Key was used with a different request within 24 h (first at ${stored.createdAt.toISOString()})`);
      return { orderNumber: stored.orderNumber, repeat: true };
    }
    // Expired: the key is free again (deleted only if no one renewed it meanwhile).
    if (stored) await IdempotencyKey.deleteOne({ _id, expiresAt: stored.expiresAt });
    const orderNumber = input.newOrderNumber();
    if (await insertOnce(IdempotencyKey, { _id, fingerprint: input.fingerprint, orderNumber, createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS) })) {
      return { orderNumber, repeat: false };
    }
    // A concurrent request with the same key claimed it first: compare with its request.
  }
  throw new Error('Idempotency-Key: too much contention');
}

/**
 * Frees a key whose request was refused (no stock, provider down): a retry with the same key then
 * places the order instead of answering the refusal for 24 h. Only the claim for `orderNumber` is freed.
 */
export async function releaseIdempotencyKey(input: { caller: string; key: string; orderNumber: string }): Promise<void> {
  await IdempotencyKey.deleteOne({ _id: sha256(`${input.caller}\n${input.key}`), orderNumber: input.orderNumber });
}
