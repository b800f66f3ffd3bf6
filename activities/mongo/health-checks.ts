import { HealthCheck } from '../../common/models/health-check';
import type { ProbeResult, ProbeStatus } from '../probes/dependencies';

export interface HealthSnapshot {
  checkId: string;
  status: ProbeStatus;
  probes: ProbeResult[];
  checkedAt: string;
}

/** MongoDB activities of the ops health monitor. */
export function createHealthCheckActivities() {
  return {
    /** Idempotent by checkId, so an activity retry never writes a second snapshot. */
    async saveHealthSnapshot(snapshot: HealthSnapshot): Promise<void> {
      await HealthCheck.updateOne(
        { checkId: snapshot.checkId },
        { $setOnInsert: { ...snapshot, checkedAt: new Date(snapshot.checkedAt) } },
        { upsert: true },
      );
    },
  };
}
