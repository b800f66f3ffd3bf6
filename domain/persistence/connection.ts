import mongoose from 'mongoose';
import type { Config } from '../../common/config';

/**
 * Connects the process-wide mongoose connection. Written to the subset FerretDB v1 and MongoDB
 * share: no transactions, no TTL or partial indexes, single-document conditional updates.
 */
export async function connectMongo(config: Pick<Config, 'MONGODB_URI'>, opts: { waitMs?: number } = {}) {
  mongoose.set('strictQuery', true);
  await mongoose.connect(config.MONGODB_URI, {
    serverSelectionTimeoutMS: opts.waitMs ?? 5000,
    // FerretDB has no retryable writes; the driver would otherwise send txnNumber on writes.
    retryWrites: false,
  });
  return mongoose.connection;
}

export async function disconnectMongo() {
  await mongoose.disconnect();
}

/** E11000: an insert or upsert hit a unique index — the atomic "someone was first" of our claims. */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number })?.code === 11000;
