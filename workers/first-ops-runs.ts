/**
 * A fresh stack should not show every service "unknown" until the health Schedule's first interval
 * comes round: at start-up a worker serving `ops` starts one health-monitor run, then (once it has
 * stored what it found) one metrics snapshot, so the dashboard's overview and realtime figures show
 * real statuses at once.
 *
 * Idempotent when several workers start at once: each run's workflow id is fixed per health
 * interval (`ops-health-monitor-startup-<interval start>`) and ids are never reused, so of the
 * workers that start within one interval exactly one start wins; the others find it started.
 * Skipped when SCHEDULES_PAUSED (nothing runs by itself then).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../common/config';
import { healthMonitorWorkflow, metricsSnapshotWorkflow } from '../contracts/ops';
import type { WorkflowRef } from '../contracts/workflow-ref';

export const STARTUP_HEALTH_PREFIX = 'ops-health-monitor-startup-';
export const STARTUP_METRICS_PREFIX = 'ops-metrics-snapshot-startup-';

/** The start of the health interval `now` falls in (ISO, second precision): one start-up run per interval. */
export function startupBucket(config: Pick<Config, 'HEALTH_CHECK_INTERVAL_SECONDS'>, now: Date): string {
  const every = config.HEALTH_CHECK_INTERVAL_SECONDS * 1000;
  return new Date(Math.floor(now.getTime() / every) * every).toISOString().replace('.000Z', 'Z');
}

async function startOnce(client: Client, ref: WorkflowRef, workflowId: string): Promise<{ workflowId: string; started: boolean }> {
  try {
    await client.workflow.start(ref.type, {
      taskQueue: ref.taskQueue,
      workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: 'FAIL',
      workflowExecutionTimeout: '5 minutes',
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

/** Starts this interval's start-up health run (or finds another worker's). */
export function startFirstHealthRun(client: Client, config: Pick<Config, 'HEALTH_CHECK_INTERVAL_SECONDS'>, now = new Date()) {
  return startOnce(client, healthMonitorWorkflow, `${STARTUP_HEALTH_PREFIX}${startupBucket(config, now)}`);
}

/** Once the start-up health run has stored its snapshot: one metrics snapshot, for the dashboard's overview. */
export async function afterFirstHealthRun(client: Client, config: Pick<Config, 'HEALTH_CHECK_INTERVAL_SECONDS'>, health: { workflowId: string }, now = new Date()) {
  await client.workflow.getHandle(health.workflowId).result();
  return startOnce(client, metricsSnapshotWorkflow, `${STARTUP_METRICS_PREFIX}${startupBucket(config, now)}`);
}
