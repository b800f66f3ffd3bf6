/**
 * The worker's /metrics carries the Temporal SDK's own worker metrics next to ours (issue 19): after
 * a workflow ran, schedule-to-start latency per task queue, task slots in use and the sticky cache
 * are there, on the one URL Prometheus scrapes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ROOT } from '../../infra/processes';
import { metricsSnapshotWorkflow } from '../../contracts/ops';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { http, startStack, type RunningStack } from '../harness/stack';

let servers: IntegrationServers;
let stack: RunningStack;
let connection: Connection;
before(async () => {
  servers = await integrationServers();
  stack = await startStack(servers, { parts: ['worker'], env: { WORKER_TASK_QUEUES: 'ops' } });
  connection = await Connection.connect({ address: servers.temporalAddress });
});
after(async () => {
  await connection?.close();
  await stack?.stop();
  await servers?.stop();
});

test('after a workflow ran, the worker /metrics has the SDK series: schedule-to-start latency per task queue, slots in use, sticky cache', async () => {
  const client = new Client({ connection, namespace: stack.namespace });
  await client.workflow.execute(metricsSnapshotWorkflow.type, { taskQueue: metricsSnapshotWorkflow.taskQueue, workflowId: `sdk-metrics-${Date.now()}`, args: [] });
  const res = await http('GET', `http://127.0.0.1:${stack.env.WORKER_METRICS_PORT}/metrics`);
  assert.equal(res.status, 200);
  const text = res.text;
  // Ours and the SDK's on one page.
  assert.match(text, /# TYPE pagosflow_provider_call_duration_seconds histogram/);
  assert.match(text, /^pagosflow_sdk_metrics_up 1$/m);
  const q = metricsSnapshotWorkflow.taskQueue;
  assert.match(text, new RegExp(`^temporal_workflow_task_schedule_to_start_latency_count\\{[^}]*task_queue="${q}"[^}]*\\} [1-9]`, 'm'), 'workflow task schedule-to-start per task queue');
  assert.match(text, new RegExp(`^temporal_activity_schedule_to_start_latency_count\\{[^}]*task_queue="${q}"[^}]*\\} [1-9]`, 'm'), 'activity schedule-to-start per task queue');
  assert.match(text, /^temporal_worker_task_slots_used\{[^}]*worker_type="WorkflowWorker"[^}]*\} \d+/m, 'task slots in use');
  assert.match(text, /^temporal_worker_task_slots_available\{/m);
  assert.match(text, /^temporal_sticky_cache_size\{/m, 'sticky cache size');
  // The documented "add workers" alert rule names series the worker really exports.
  const rules = readFileSync(path.join(ROOT, 'docs/runbooks/add-workers.md'), 'utf8').split('```yaml')[1].split('```')[0];
  const named = [...new Set(rules.match(/temporal_[a-z_]+/g))];
  assert.ok(named.length >= 3, named.join());
  for (const name of named) assert.match(text, new RegExp(`^${name}\\{`, 'm'), `${name} (in docs/runbooks/add-workers.md) is not exported`);
  // Prometheus can parse it: every sample line is "name{labels} value".
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /^[a-zA-Z_:][\w:]*(\{.*\})? -?[\d.e+-]+|NaN|[+-]Inf$/, line);
});
