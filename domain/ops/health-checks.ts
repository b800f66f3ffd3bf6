import type { Config } from '../../common/config';
import { countEvent, counterKey } from '../persistence/counters';
import { HealthCheck } from '../persistence/models/health-check';
import { DependencyStatus } from '../persistence/models/metric-count';
import { DEFAULT_TIMEZONE } from '../../common/time';
import type { HealthSnapshot } from '../../contracts/ops';

/** The health monitor's records: snapshots, each dependency's status, daily uptime counters. */
export function healthCheckStore(config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) {
  return {
    /**
     * Idempotent by checkId, so an activity retry never writes a second snapshot. Also keeps each
     * dependency's last status (and since when) and the day's up/total checks for uptime.
     */
    async saveHealthSnapshot(snapshot: HealthSnapshot): Promise<void> {
      const at = new Date(snapshot.checkedAt);
      await HealthCheck.updateOne({ checkId: snapshot.checkId }, { $setOnInsert: { ...snapshot, checkedAt: at } }, { upsert: true });
      for (const p of snapshot.probes) {
        const prev = await DependencyStatus.findById(p.name, { status: 1, since: 1 }).lean<{ status: string; since: Date }>();
        await DependencyStatus.updateOne(
          { _id: p.name },
          { $set: { status: p.status, latencyMs: p.latencyMs, error: p.error ?? null, checkedAt: at, since: prev && prev.status === p.status ? prev.since : at } },
          { upsert: true },
        );
      }
      const inc: Record<string, number> = {};
      for (const p of snapshot.probes) {
        inc[`${counterKey(p.name)}.checks`] = 1;
        inc[`${counterKey(p.name)}.up`] = p.status === 'down' ? 0 : 1;
        inc[`${counterKey(p.name)}.latency_ms_sum`] = p.latencyMs;
      }
      await countEvent({ family: 'health', at, granularities: ['d'], timeZone: config.SCHEDULE_TIMEZONE, claimKey: `health:${snapshot.checkId}`, inc });
    },
  };
}
