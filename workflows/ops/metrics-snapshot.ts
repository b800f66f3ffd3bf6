import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createMetricsActivities } from '../../activities/mongodb/ops';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import type { MetricsCheckResult } from '../../contracts/ops';
import { alertingWithinAMinute, databaseStep } from '../retry-policies';
import { metricAlerts } from '../../domain/ops/metric-rules';

const metrics = proxyActivities<ReturnType<typeof createMetricsActivities>>(databaseStep);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingWithinAMinute);


/**
 * Every METRICS_INTERVAL_MINUTES (its Schedule), or on demand: computes the snapshot from the
 * time buckets, stores it, and runs the alert rules over it (incidents page on what they raise).
 */
export async function metricsSnapshot(): Promise<MetricsCheckResult> {
  const { snapshot, rules } = await metrics.computeMetricsSnapshot();
  const { workflowId, runId } = workflowInfo();
  await metrics.saveMetricsSnapshot({ snapshotId: `${workflowId}/${runId}`, snapshot });
  const { raise, clear } = metricAlerts(snapshot, rules);
  const outcomes = await Promise.all(raise.map(async (a) => ({ dedupKey: a.dedupKey, rule: a.rule, outcome: await alerting.raiseAlert(a) })));
  await Promise.all(clear.map((c) => alerting.clearAlert(c)));
  return { snapshot, alerts: outcomes, cleared: clear.map((c) => c.dedupKey) };
}
