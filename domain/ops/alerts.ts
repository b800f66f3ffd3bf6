import { Alert } from '../persistence/models/alert';

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low' | 'warning';

/** The alert records (one per dedup key, counted): the bookkeeping under domain/ops/alerting.ts. */
export function alertRecords() {
  return {
    /** Recovery: the failure an alert reported is over. */
    async resolveAlert(input: { dedupKey: string }): Promise<void> {
      const now = new Date();
      await Alert.updateOne({ _id: input.dedupKey, status: 'open' }, { $set: { status: 'resolved', resolvedAt: now, lastAt: now } });
    },

    /** One open alert per dedupKey: a repeat counts instead of adding a row (and paging again). */
    async recordAlert(input: { dedupKey: string; rule: string; severity: AlertSeverity; message: string; source: string; details?: unknown }): Promise<void> {
      const now = new Date();
      const repeat = await Alert.updateOne(
        { _id: input.dedupKey, status: 'open' },
        { $set: { message: input.message, lastAt: now, details: input.details }, $inc: { count: 1 } },
      );
      if (repeat.matchedCount > 0) return;
      // New, or the last one was resolved: (re)open it.
      await Alert.updateOne(
        { _id: input.dedupKey },
        { $set: { ...input, status: 'open', count: 1, firstAt: now, lastAt: now }, $unset: { resolvedAt: '', pagedCount: '' } },
        { upsert: true },
      );
    },
  };
}
