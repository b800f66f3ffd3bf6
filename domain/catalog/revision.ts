/**
 * The catalog revision: one document whose token changes after every catalog write, so each API
 * process's search index knows, with one read by `_id` per poll, that it has products to rescan
 * (./search-index.ts). Call it after the write it announces, never before: a reader that sees the
 * new token then finds the write.
 */
import { randomUUID } from 'node:crypto';
import { CatalogRevision } from '../persistence/models/category';

export const CATALOG_REVISION_ID = 'catalog';

export async function bumpCatalogRevision(): Promise<void> {
  // A plain upsert by _id: last writer wins, and any new token differs from what a reader saw.
  await CatalogRevision.updateOne({ _id: CATALOG_REVISION_ID }, { $set: { token: randomUUID(), at: new Date() } }, { upsert: true }).catch(async (err) => {
    // Two first-ever upserts can race on the unique _id: the loser's update then applies.
    if ((err as { code?: number }).code !== 11000) throw err;
    await CatalogRevision.updateOne({ _id: CATALOG_REVISION_ID }, { $set: { token: randomUUID(), at: new Date() } });
  });
}

export async function currentCatalogToken(): Promise<string | null> {
  return (await CatalogRevision.findById(CATALOG_REVISION_ID, { token: 1 }).lean())?.token ?? null;
}
