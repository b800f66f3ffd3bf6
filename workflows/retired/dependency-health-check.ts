import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createHealthCheckActivities } from '../../activities/mongodb/ops';
import type { createProbeActivities } from '../../activities/probes';
import type { HealthSnapshot } from '../../contracts/ops';
import { worstStatus } from '../../common/health-status';
import { databaseStep, measuredOnce } from '../retry-policies';

const probes = proxyActivities<ReturnType<typeof createProbeActivities>>(measuredOnce);
const store = proxyActivities<ReturnType<typeof createHealthCheckActivities>>(databaseStep);

/**
 * Retired: the health monitor (../ops/health-monitor.ts) replaced it, and no Schedule or route
 * starts it any more. It stays in the bundle only so that its recorded histories
 * (test/histories/dependency-health-check.*) keep replaying; remove it together with them once no
 * execution of it can exist.
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
