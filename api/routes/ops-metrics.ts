import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { MetricSnapshot } from '../../domain/persistence/models/metric-count';
import { metricsSnapshotWorkflow, type MetricsCheckResult } from '../../contracts/ops';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { requireStaff } from '../auth/principal';
import { HttpError } from '../errors';
import { apiRouter } from '../request-guards';

/** Runs the metrics workflow now (the same one the Schedule runs) and waits for what it found. */
export function runMetricsCheck(temporal: Client): Promise<MetricsCheckResult> {
  return temporal.workflow.execute<WorkflowOf<typeof metricsSnapshotWorkflow>>(metricsSnapshotWorkflow.type, {
    taskQueue: metricsSnapshotWorkflow.taskQueue,
    workflowId: `metrics-check-${randomUUID()}`,
    workflowExecutionTimeout: '2 minutes',
  });
}

/** The latest stored snapshot (what the Schedule's last run computed); 404 before the first. */
export async function latestSnapshot(): Promise<{ snapshotJson: string; snapshotId?: string }> {
  const latest = await MetricSnapshot.findById('latest').lean<{ snapshotJson: string; snapshotId?: string }>();
  if (!latest) throw new HttpError(404, 'not_found', 'no metrics snapshot yet: the metrics Schedule runs every few minutes, or POST /api/v1/ops/metrics/check runs one now');
  return latest;
}

/** The metrics snapshot: the latest stored one, or a check run now (the same workflow as the Schedule's). */
export function opsMetricsRouter(deps: { temporal: Client }) {
  const router = apiRouter();

  router.get('/ops/metrics', requireStaff('viewer'), async (_req, res) => {
    res.type('application/json').send((await latestSnapshot()).snapshotJson);
  });

  router.post('/ops/metrics/check', requireStaff('operator'), async (_req, res) => {
    res.json(await runMetricsCheck(deps.temporal));
  });

  return router;
}
