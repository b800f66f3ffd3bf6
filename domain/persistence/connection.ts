import mongoose from 'mongoose';
import type { Config } from '../../common/config';

/**
 * Connects the process-wide mongoose connection. The code is written to the subset FerretDB v1 and
 * MongoDB share (see ./write-patterns.ts). Driver options come from the connection string: the
 * embedded FerretDB's says `retryWrites=false` (it has no retryable writes), MongoDB's keeps the
 * driver's default (on).
 */
export async function connectMongo(config: Pick<Config, 'MONGODB_URI'>, opts: { waitMs?: number } = {}) {
  mongoose.set('strictQuery', true);
  await mongoose.connect(config.MONGODB_URI, mongoDriverOptions(opts));
  return mongoose.connection;
}

/** The driver options the code sets: none about retryable writes (the connection string decides). */
export function mongoDriverOptions(opts: { waitMs?: number } = {}) {
  return { serverSelectionTimeoutMS: opts.waitMs ?? 5000 };
}

export async function disconnectMongo() {
  await mongoose.disconnect();
}
