import { z } from 'zod';

/**
 * Keyset pagination, newest first, on (a date field, _id): stable under concurrent inserts and no
 * skip scans. `cursor` is opaque to clients: the last item's (date, _id) of the previous page.
 */
const cursorSchema = z
  .string()
  .max(512)
  .transform((c, ctx) => {
    try {
      const [at, id] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
      if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) return { at: new Date(at), id };
    } catch {
      // fall through
    }
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
    return z.NEVER;
  });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: cursorSchema.optional(),
  since: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
};

/** The filter for the page after `cursor` (newest first on `field`, ties broken by _id). */
export function pageFilter(field: string, cursor?: { at: Date; id: string }): Record<string, unknown> {
  if (!cursor) return {};
  return { $or: [{ [field]: { $lt: cursor.at } }, { [field]: cursor.at, _id: { $lt: cursor.id } }] };
}

export function pageSort(field: string): Record<string, 1 | -1> {
  return { [field]: -1, _id: -1 };
}

export function page<T extends { _id: unknown }>(docs: T[], limit: number, field: keyof T) {
  const items = docs.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    docs.length > limit && last ? Buffer.from(JSON.stringify([new Date(last[field] as unknown as string).toISOString(), String(last._id)])).toString('base64url') : null;
  return { items, nextCursor };
}
