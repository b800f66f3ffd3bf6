import mongoose from 'mongoose';
import { AccessAudit } from '../persistence/models/api-key';
import { HealthCheck } from '../persistence/models/health-check';
import { IdempotencyKey } from '../persistence/models/idempotency-key';
import { SecurityEvent } from '../persistence/models/security-event';
import { MetricCount, MetricSnapshot } from '../persistence/models/metric-count';

const DAY = 86_400_000;
/** How long each kind of ops data is kept. Day and month buckets are small and kept for good. */
export const OPS_RETENTION = { m5BucketsDays: 3, hourBucketsDays: 62, claimsDays: 2, snapshotsDays: 30, healthChecksDays: 14, accessAuditDays: 90, securityEventsDays: 90 } as const;

/** Daily clean-up of ops data that only matters for a while (the `ops-retention-daily` Schedule). */
export function retentionJobs() {
  return {
    async cleanupOpsData(): Promise<{ deleted: Record<string, number>; droppedCollections: string[] }> {
      const now = Date.now();
      const before = (days: number) => new Date(now - days * DAY);
      const label = (d: Date, len: number) => d.toISOString().slice(0, len);
      // Buckets are labelled by time, so "older than" is a string comparison on `bucket`.
      const m5 = await MetricCount.deleteMany({ granularity: 'm5', bucket: { $lt: label(before(OPS_RETENTION.m5BucketsDays), 16) } });
      const h = await MetricCount.deleteMany({ granularity: 'h', bucket: { $lt: label(before(OPS_RETENTION.hourBucketsDays), 13) } });
      const snapshots = await MetricSnapshot.deleteMany({ _id: { $ne: 'latest' }, generatedAt: { $lt: before(OPS_RETENTION.snapshotsDays) } });
      const checks = await HealthCheck.deleteMany({ checkedAt: { $lt: before(OPS_RETENTION.healthChecksDays) } });
      const audit = await AccessAudit.deleteMany({ at: { $lt: before(OPS_RETENTION.accessAuditDays) } });
      const keys = await IdempotencyKey.deleteMany({ expiresAt: { $lt: new Date(now) } });
      const security = await SecurityEvent.deleteMany({ at: { $lt: before(OPS_RETENTION.securityEventsDays) } });
      // Claims live in one collection per UTC day: dropping a whole day costs nothing per document.
      const keepFrom = `metric_claims_${label(before(OPS_RETENTION.claimsDays), 10).replace(/-/g, '')}`;
      const collections = await mongoose.connection.db!.listCollections({}, { nameOnly: true }).toArray();
      const dropped = collections.map((c) => c.name).filter((n) => n.startsWith('metric_claims_') && n < keepFrom);
      for (const name of dropped) await mongoose.connection.db!.dropCollection(name);
      return { deleted: { m5_buckets: m5.deletedCount, hour_buckets: h.deletedCount, snapshots: snapshots.deletedCount, health_checks: checks.deletedCount, access_audit: audit.deletedCount, idempotency_keys: keys.deletedCount, security_events: security.deletedCount }, droppedCollections: dropped };
    },
  };
}
