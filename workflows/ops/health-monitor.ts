import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createHealthCheckActivities } from '../../activities/mongodb/ops';
import type { createProbeActivities } from '../../activities/probes';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import type { HealthSnapshot } from '../../contracts/ops';
import { worstStatus } from '../../common/health-status';
import { alertingWithinAMinute, measuredOnce } from '../retry-policies';
import { healthAlerts } from '../../domain/ops/health-rules';

const probes = proxyActivities<ReturnType<typeof createProbeActivities>>(measuredOnce);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingWithinAMinute);
// The snapshot is a record, not a duty: a few tries, then this minute goes without one.
const store = proxyActivities<ReturnType<typeof createHealthCheckActivities>>({ ...alertingWithinAMinute, retry: { ...alertingWithinAMinute.retry, maximumAttempts: 3 } });

/**
 * The health monitor, run every minute by its Schedule: probes MongoDB, Temporal, MercadoPago and
 * GoHighLevel; raises or clears the dependency alerts (incidents page on them); stores the
 * snapshot. Alerting does not depend on MongoDB being up, so "database down" pages even when the
 * snapshot cannot be stored.
 */
export async function healthMonitor(): Promise<HealthSnapshot> {
  const results = await Promise.all([probes.probeMongo(), probes.probeTemporal(), probes.probeMercadoPago(), probes.probeGoHighLevel()]);
  const { raise, clear } = healthAlerts(results);
  // The run's own clock: cooldowns are measured on it (and on the time-skipping server in tests).
  const at = new Date(Date.now()).toISOString();
  await Promise.all([...raise.map((a) => alerting.raiseAlert({ ...a, at })), ...clear.map((c) => alerting.clearAlert(c))]);
  const info = workflowInfo();
  const snapshot: HealthSnapshot = {
    checkId: `${info.workflowId}/${info.runId}`,
    status: worstStatus(results),
    probes: results,
    checkedAt: new Date(Date.now()).toISOString(),
  };
  const mongoUp = results[0].status !== 'down';
  if (mongoUp) {
    // Business workflows' alerts used to be paged by this sweep; they now raise through the alerting
    // path at once (patched() keeps runs recorded before that replayable).
    const sweep = !patched('business-alerts-raised-at-once');
    await Promise.all([...(sweep ? [alerting.sweepAlerts()] : []), store.saveHealthSnapshot(snapshot)]).catch(() => undefined);
  }
  return snapshot;
}
