import type { Model } from 'mongoose';
import { isDuplicateKey } from '../../common/mongo';

/**
 * Writes a workflow's view of an entity, guarded by the workflow's revision: a delayed write of an
 * older revision matches nothing, its upsert collides on _id and is dropped.
 */
export async function writeByRevision(model: Model<any>, id: string, revision: number, doc: Record<string, unknown>): Promise<void> {
  try {
    await model.updateOne({ _id: id, revision: { $lt: revision } }, { $set: { ...doc, revision } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}
