import { Types } from 'mongoose';
import { z } from 'zod';

/**
 * Keyset pagination on _id (ObjectIds grow with insertion time): stable under concurrent inserts,
 * no skip scans. `cursor` is the last _id of the previous page.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().refine((c) => Types.ObjectId.isValid(c) && /^[0-9a-f]{24}$/i.test(c), 'is not a cursor returned by this API').optional(),
  since: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
};

export function pageFilter(q: { cursor?: string }) {
  return q.cursor ? { _id: { $lt: new Types.ObjectId(q.cursor) } } : {};
}

export function page<T extends { _id: unknown }>(docs: T[], limit: number) {
  const items = docs.slice(0, limit);
  const nextCursor = docs.length > limit ? String(items[items.length - 1]._id) : null;
  return { items, nextCursor };
}
