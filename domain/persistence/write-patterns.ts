import type { Model } from 'mongoose';
import { isDuplicateKey } from './connection';

/**
 * Writes a workflow's view of an entity unless a newer revision is stored. Read and write are
 * both by `_id` alone: FerretDB v1 answers only that filter without scanning the collection, and
 * a projection written at every transition would otherwise cost O(collection) per write. The
 * check-then-write is not atomic; the only concurrent writer of an entity is its own workflow's
 * zombie attempt (an activity retried after a timeout), which this still turns away in practice.
 */
export async function writeByRevision(model: Model<any>, id: string, revision: number, doc: Record<string, unknown>): Promise<void> {
  const stored = await model.findById(id, { revision: 1 }).lean<{ revision?: number }>();
  if (stored && (stored.revision ?? 0) >= revision) return;
  if (!stored) {
    try {
      await model.collection.insertOne({ _id: id, ...doc, revision } as never);
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  await model.updateOne({ _id: id }, { $set: { ...doc, revision } });
}
