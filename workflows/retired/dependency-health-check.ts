import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createHealthCheckActivities, HealthSnapshot } from '../../domain/ops/health-checks';
import type { createProbeActivities } from '../../domain/ops/dependency-probes';
import { worstStatus } from '../../common/health-status';
import { mongoActivity, probeActivity } from '../retry-policies';

const probes = proxyActivities<ReturnType<typeof createProbeActivities>>(probeActivity);
const store = proxyActivities<ReturnType<typeof createHealthCheckActivities>>(mongoActivity);

/**
 * Probes the product's dependencies and stores a health snapshot. Run by the ops health-monitor
 * schedule; its id (per run) keys the snapshot so a retried save is a no-op.
 */
export async function dependencyHealthCheck(): Promise<HealthSnapshot> {
  const mongo = await probes.probeMongo();
  const results = [mongo];
  const status = worstStatus(results);
  const info = workflowInfo();
  const snapshot: HealthSnapshot = {
    checkId: `${info.workflowId}/${info.runId}`,
    status,
    probes: results,
    // Workflow time is deterministic (replay-safe), unlike the activity's clock.
    checkedAt: new Date(Date.now()).toISOString(),
  };
  await store.saveHealthSnapshot(snapshot);
  return snapshot;
}
