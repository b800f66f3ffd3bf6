/**
 * Refused webhook deliveries, recorded so that a flood cannot be turned against us: one document
 * per source IP, reason and minute with a count (a flood writes a bounded number of documents),
 * and the threat metric (the security_threat rule reads its buckets) counting every refusal.
 * Increments of one document are serialised in this process, so the count stays exact on
 * FerretDB v1 too (its `$inc` is not atomic under concurrency).
 */
import { countEvent } from '../persistence/counters';
import { SecurityEvent } from '../persistence/models/security-event';

export const INVALID_WEBHOOK_SIGNATURE = 'INVALID_WEBHOOK_SIGNATURE';

const pending = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, op: () => Promise<T>): Promise<T> {
  const run = (pending.get(key) ?? Promise.resolve()).then(op, op);
  const settled = run.catch(() => undefined);
  pending.set(key, settled);
  void settled.then(() => pending.get(key) === settled && pending.delete(key));
  return run;
}

export interface RefusedDelivery {
  reason: string;
  sourceIp: string;
  path: string;
  requestId?: string;
  at: Date;
}

/** Adds the refusal to its (IP, reason, minute) document. */
export function recordRefusedDelivery(r: RefusedDelivery): Promise<unknown> {
  const minute = r.at.toISOString().slice(0, 16);
  const _id = `${INVALID_WEBHOOK_SIGNATURE}:${minute}:${r.sourceIp}:${r.reason}`;
  return serialised(_id, () =>
    SecurityEvent.updateOne(
      { _id },
      {
        $inc: { count: 1 },
        $set: { lastAt: r.at, path: r.path, ...(r.requestId ? { requestId: r.requestId } : {}) },
        $setOnInsert: { type: INVALID_WEBHOOK_SIGNATURE, reason: r.reason, sourceIp: r.sourceIp, minute, at: r.at, hour: r.at.toISOString().slice(0, 13) },
      },
      { upsert: true },
    ),
  );
}

/** Every refusal, counted in the security metric buckets (threats per hour). */
export function countRefusedDelivery(at: Date, timeZone: string): Promise<boolean> {
  return countEvent({ family: 'security', at, granularities: ['m5', 'h', 'd'], timeZone, inc: { [INVALID_WEBHOOK_SIGNATURE]: 1 } });
}
