/**
 * Worker process: one Temporal worker per task queue (webhooks, orders, commissions, ops), all in
 * this process by default; WORKER_TASK_QUEUES picks a subset to scale a queue out on its own.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type LogLevel, type WorkflowBundleOption } from '@temporalio/worker';
import { readFile } from 'node:fs/promises';
import { loadConfig, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import mongoose from 'mongoose';
import { connectMongo, disconnectMongo } from '../domain/persistence/connection';
import { connectWorker, createTemporalClient } from '../common/temporal';
import { ensureIndexes } from '../domain/persistence/models';
import { attemptRecorder } from './attempt-recorder';
import { WORKFLOWS_PATH } from './bundle';
import { afterFirstHealthRun, startFirstHealthRun } from './first-ops-runs';
import { ensureSchedules } from './schedules';
import { activitiesFor } from './task-queues';
import { startTemporalWatchdog } from './temporal-watchdog';
import { startDatabaseWatchdog } from './database-watchdog';
import { alerting } from '../domain/ops/alerting';
import { temporalPing } from '../domain/ops/probes';
import { freeLoopbackPort, serveMetrics } from '../common/prometheus';

export const WORKER_READY_LINE = 'pagos-flow worker ready';

async function workflowBundle(config: Config): Promise<WorkflowBundleOption> {
  if (config.WORKFLOW_BUNDLE_PATH) {
    return { code: await readFile(config.WORKFLOW_BUNDLE_PATH, 'utf8') };
  }
  // Dev: bundle once from source and share it between the queue workers (webpack runs once, not 4x).
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
}

const SDK_LEVEL: Record<Config['LOG_LEVEL'], LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

export async function runWorkers(config: Config): Promise<void> {
  const log = createLogger('worker', config.LOG_LEVEL);
  // The SDK's worker metrics (schedule-to-start latency, slots, sticky cache) go out on our /metrics:
  // its exporter binds a loopback port of its own and serveMetrics appends what it says.
  const sdkMetricsPort = config.WORKER_METRICS_PORT > 0 ? config.WORKER_SDK_METRICS_PORT || (await freeLoopbackPort()) : 0;
  Runtime.install({
    logger: new DefaultLogger(SDK_LEVEL[config.LOG_LEVEL]),
    ...(sdkMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}`, useSecondsForDurations: true } } } } : {}),
  });
  await connectMongo(config, { waitMs: 15000 });
  await ensureIndexes();
  const connection = await connectWorker(config);
  const bundle = await workflowBundle(config);
  const workers = await Promise.all(
    config.WORKER_TASK_QUEUES.map((taskQueue) =>
      Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: bundle,
        activities: activitiesFor(taskQueue, config),
        interceptors: taskQueue === 'webhooks' || taskQueue === 'gohighlevel' ? { activity: [attemptRecorder] } : undefined,
        ...(taskQueue === 'gohighlevel' ? { maxTaskQueueActivitiesPerSecond: config.GHL_ACTIVITIES_PER_SECOND } : {}),
      }),
    ),
  );
  log.info({ taskQueues: config.WORKER_TASK_QUEUES, namespace: config.TEMPORAL_NAMESPACE }, 'workers created');
  // Any worker serving a scheduled queue makes sure every Schedule exists (idempotent; see schedules.ts).
  if (config.WORKER_TASK_QUEUES.some((q) => q === 'ops' || q === 'commissions')) {
    const client = createTemporalClient(config);
    log.info({ schedules: await ensureSchedules(client, config) }, 'schedules registered');
    await client.connection.close();
  }
  const metricsServer = config.WORKER_METRICS_PORT > 0 ? await serveMetrics(config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST, { sdkMetricsUrl: sdkMetricsPort ? `http://127.0.0.1:${sdkMetricsPort}/metrics` : undefined }) : undefined;
  if (metricsServer) log.info({ url: `http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics` }, 'prometheus metrics');
  const watchdogClient = createTemporalClient(config);
  const watchdog = startTemporalWatchdog({ config, log, ping: () => temporalPing(watchdogClient) });
  const databaseWatchdog = startDatabaseWatchdog({ log, alerting: alerting(config, watchdogClient), ping: () => mongoose.connection.db!.admin().ping() });
  // The dashboard shows real statuses from the start: one health run now (see first-ops-runs.ts).
  if (config.WORKER_TASK_QUEUES.includes('ops') && !config.SCHEDULES_PAUSED) {
    const now = new Date();
    const health = await startFirstHealthRun(watchdogClient, config, now).catch((err) => void log.warn({ err }, 'could not start the start-up health run'));
    if (health) {
      log.info(health, 'start-up health run');
      afterFirstHealthRun(watchdogClient, config, health, now).then(
        (metrics) => log.info(metrics, 'start-up metrics snapshot'),
        (err) => log.warn({ err }, 'start-up metrics snapshot not taken'),
      );
    }
  }
  // Supervisors wait for this line, whatever the log level.
  process.stdout.write(`${WORKER_READY_LINE}: ${config.WORKER_TASK_QUEUES.join(', ')}\n`);
  // Each worker shuts down gracefully on SIGINT/SIGTERM (the SDK's Runtime installs the handlers).
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    watchdog.stop();
    databaseWatchdog.stop();
    metricsServer?.close();
    await watchdogClient.connection.close().catch(() => undefined);
    await connection.close();
    await disconnectMongo();
    log.info('worker stopped');
  }
}

if (require.main === module) {
  runWorkers(loadConfig()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
