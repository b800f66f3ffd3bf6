import mongoose from 'mongoose';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ProbeResult } from '../../contracts/ops';
import { dependencyProbes, mongoPing, PROBE_TIMEOUT_MS, temporalPing, timeProbe, withTimeout } from '../../domain/ops/probes';
import type { Config } from '../../common/config';
import { TASK_QUEUES } from '../../contracts/task-queues';
import { DEPENDENCY_LABELS, worstStatus } from '../../common/health-status';
import { probeDuration } from '../../common/prometheus';
import { requireStaff } from '../auth/principal';
import { apiRouter } from '../request-guards';

/** /health answers load balancers: shorter than the ops probes' timeout. */
const LIVENESS_TIMEOUT_MS = 3000;
const startedAt = Date.now();

export async function probeTemporal(client: Client, timeoutMs = LIVENESS_TIMEOUT_MS, degradedAfterMs?: number): Promise<ProbeResult> {
  return timeProbe('temporal', () => withTimeout(temporalPing(client), timeoutMs), degradedAfterMs);
}

export async function probeMongoWithTimeout(): Promise<ProbeResult> {
  return timeProbe('mongodb', () => withTimeout(mongoPing(), LIVENESS_TIMEOUT_MS));
}

/**
 * GET /health: liveness plus the two dependencies every request needs. `error` (503) when Temporal
 * is down, since no command can be accepted durably; `degraded` when MongoDB is down or either is slow.
 */
export function healthRouter(deps: { temporal: Client; version: string }) {
  const router = apiRouter();
  router.get('/health', async (_req, res) => {
    const [temporal, mongodb] = await Promise.all([probeTemporal(deps.temporal), probeMongoWithTimeout()]);
    const worst = worstStatus([temporal, mongodb]);
    const status = temporal.status === 'down' ? 'error' : worst === 'ok' ? 'ok' : 'degraded';
    res.status(status === 'error' ? 503 : 200).json({
      status,
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      timestamp: new Date().toISOString(),
      checks: { temporal, mongodb },
    });
  });
  return router;
}

const DEEP_SAMPLES = 3;
const COUNTED = ['payments', 'webhook_events', 'orders', 'products', 'commissions', 'conversions', 'affiliates', 'incidents', 'alerts', 'users', 'api_keys', 'access_audit'];
const SERVICE_LABEL: Record<string, string> = { mongodb: 'mongodb', temporal: 'temporal', mercadopago: 'mercadopago_api', gohighlevel: 'gohighlevel_api' };
/** The runbook of the rule a dependency that is down raises (docs/runbooks/). */
const DOWN_RUNBOOK: Record<string, string> = { mongodb: 'database-down.md', temporal: 'temporal-unreachable.md', mercadopago: 'provider-degraded.md', gohighlevel: 'provider-degraded.md' };
const seedStatus = (s: string) => (s === 'ok' ? 'healthy' : s === 'degraded' ? 'degraded' : 'unhealthy');

/** Pollers on each task queue: no worker polling a queue means its workflows or activities wait. */
async function taskQueuePollers(client: Client, namespace: string) {
  return Promise.all(
    TASK_QUEUES.map(async (name) => {
      const describe = (taskQueueType: temporal.api.enums.v1.TaskQueueType) =>
        withTimeout(client.workflowService.describeTaskQueue({ namespace, taskQueue: { name }, taskQueueType }), PROBE_TIMEOUT_MS).then((r) => r.pollers?.length ?? 0);
      try {
        const [workflow, activity] = await Promise.all([describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
        return { task_queue: name, workflow_pollers: workflow, activity_pollers: activity };
      } catch (err) {
        return { task_queue: name, workflow_pollers: null, activity_pollers: null, error: (err as Error).message };
      }
    }),
  );
}

async function collectionCounts() {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return Object.fromEntries(COUNTED.map((c) => [c, { status: 'unhealthy', count: null, error: 'database not connected' }]));
  const entries = await Promise.all(
    COUNTED.map(async (c) => {
      try {
        return [c, { status: 'healthy', count: await withTimeout(db.collection(c).estimatedDocumentCount(), PROBE_TIMEOUT_MS) }] as const;
      } catch (err) {
        return [c, { status: 'unhealthy', count: null, error: (err as Error).message }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * GET /health/deep (seed 000): several latency samples per dependency, collection counts,
 * task-queue pollers and recommendations. Staff only: it names internals.
 */
export function deepHealthRouter(deps: { config: Config; temporal: Client }) {
  const router = apiRouter();
  const probes = dependencyProbes(deps.config);
  const slowMs = deps.config.ALERT_RULES.api_response_time.threshold;
  const degradedMs = deps.config.ALERT_RULES.provider_degraded.threshold;
  const sample = async (name: string, probe: () => Promise<ProbeResult>) => {
    const runs: ProbeResult[] = [];
    for (let i = 0; i < DEEP_SAMPLES; i++) {
      const r = await probe();
      probeDuration.observe({ dependency: name, status: r.status }, r.latencyMs / 1000);
      runs.push(r);
    }
    const answered = runs.filter((r) => r.status !== 'down');
    const latency = answered.length ? Math.round((answered.reduce((a, r) => a + r.latencyMs, 0) / answered.length) * 10) / 10 : null;
    return { name, runs, latency, status: worstStatus(runs) };
  };
  router.get('/health/deep', requireStaff('viewer'), async (_req, res) => {
    const started = performance.now();
    const [deps_, counts, pollers] = await Promise.all([
      Promise.all([
        sample('mongodb', () => probes.probeMongo()),
        sample('temporal', () => probeTemporal(deps.temporal, PROBE_TIMEOUT_MS, degradedMs)),
        sample('mercadopago', () => probes.probeMercadoPago()),
        sample('gohighlevel', () => probes.probeGoHighLevel()),
      ]),
      collectionCounts(),
      taskQueuePollers(deps.temporal, deps.config.TEMPORAL_NAMESPACE),
    ]);
    const recommendations: string[] = [];
    for (const d of deps_) {
      const errors = d.runs.filter((r) => r.error).map((r) => r.error);
      if (d.status === 'down') recommendations.push(`${DEPENDENCY_LABELS[d.name]} is not answering (${errors[0] ?? 'no answer'}): see docs/runbooks/${DOWN_RUNBOOK[d.name]}`);
      else if (d.latency !== null && d.latency > degradedMs) recommendations.push(`Consider optimizing ${DEPENDENCY_LABELS[d.name]} - response time is ${Math.round(d.latency)}ms`);
      else if (d.latency !== null && d.latency > slowMs / 2) recommendations.push(`Watch ${DEPENDENCY_LABELS[d.name]} - response time is ${Math.round(d.latency)}ms (alert at ${slowMs}ms)`);
    }
    for (const q of pollers) {
      if (q.workflow_pollers === 0 && q.activity_pollers === 0) recommendations.push(`No worker polls task queue ${q.task_queue}: start one (npm run worker, WORKER_TASK_QUEUES=${q.task_queue})`);
    }
    const overall = worstStatus(deps_);
    // Monitors read the status code: an unhealthy product (a dependency down) is 503, degraded is 200.
    res.status(overall === 'down' ? 503 : 200).json({
      status: overall === 'ok' ? 'healthy' : overall === 'degraded' ? 'degraded' : 'unhealthy',
      check_duration_ms: Math.round((performance.now() - started) * 10) / 10,
      timestamp: new Date().toISOString(),
      services: Object.fromEntries(deps_.map((d) => [SERVICE_LABEL[d.name], { status: seedStatus(d.status), response_time_ms: d.latency, samples: d.runs.length, successful_samples: d.runs.filter((r) => r.status !== 'down').length, ...(d.runs.some((r) => r.error) ? { last_error: d.runs.filter((r) => r.error).at(-1)!.error } : {}) }])),
      database: { tables: counts },
      external_apis: Object.fromEntries(
        deps_.filter((d) => d.name === 'mercadopago' || d.name === 'gohighlevel').map((d) => [d.name, { status: d.status === 'down' ? 'error' : 'success', latency_ms: d.latency, samples: d.runs.length }]),
      ),
      task_queues: pollers,
      recommendations,
    });
  });
  return router;
}
