/**
 * The production start path (what the Docker image runs): `npm run build` compiles TypeScript and
 * prebuilds the workflow bundle; the compiled worker loads that bundle (no webpack at start) and the
 * compiled API serves /health, both with NODE_ENV=production.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { freePort, ROOT, startProcess, waitForHttp, type ManagedProcess } from '../../infra/processes';
import { integrationServers, uniqueName, type IntegrationServers } from '../harness/servers';

const run = promisify(execFile);
let servers: IntegrationServers;
const procs: ManagedProcess[] = [];
before(async () => {
  servers = await integrationServers();
});
after(async () => {
  for (const p of procs) await p.stop();
  await servers?.stop();
});

test('compiled worker with the prebuilt bundle runs workflows; compiled API reports healthy', { timeout: 240000 }, async () => {
  await run('npm', ['run', 'build'], { cwd: ROOT, timeout: 180000 });
  const logs = mkdtempSync(path.join(tmpdir(), 'pagosflow-prod-'));
  const apiPort = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: servers.temporalAddress,
    MONGODB_URI: servers.mongoUri('prod'),
    API_PORT: String(apiPort),
    // Free ports only: the test runs beside `npm start`, which holds the defaults (9464 here).
    WORKER_METRICS_PORT: String(await freePort()),
    API_KEYS: 'production-like-api-key-0001',
    JWT_SECRET: 'production-like-jwt-secret-0123456789abcdef',
    DATA_ENCRYPTION_KEY: 'cmVhbC1wcm9kdWN0aW9uLWtleS0zMi1ieXRlcy0wMDA=',
    MERCADOPAGO_ACCESS_TOKEN: 'APP_USR-production-like',
    MERCADOPAGO_WEBHOOK_SECRET: 'production-like-secret',
    GHL_ACCESS_TOKEN: 'pit-production-like',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T0/B0/production-like',
    // Critical incidents page by SMS: production needs a real Twilio account (the sandbox's is refused).
    TWILIO_API_URL: 'https://api.twilio.com',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
    TWILIO_FROM_NUMBER: '+5491155550000',
    SCHEDULES_PAUSED: 'true',
    WORKER_TASK_QUEUES: 'ops',
    WORKFLOW_BUNDLE_PATH: path.join(ROOT, 'dist/workflow-bundle.js'),
  };
  const worker = startProcess('worker', process.execPath, [path.join(ROOT, 'dist/workers/main.js')], { logFile: path.join(logs, 'worker.log'), env });
  procs.push(worker);
  await worker.waitForLine('pagos-flow worker ready', 60000);
  const api = startProcess('api', process.execPath, [path.join(ROOT, 'dist/api/main.js')], { logFile: path.join(logs, 'api.log'), env });
  procs.push(api);
  await waitForHttp(`http://127.0.0.1:${apiPort}/health`, { proc: api });

  const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }) });
  try {
    const snapshot = await client.workflow.execute('dependencyHealthCheck', { taskQueue: 'ops', workflowId: uniqueName('prod-health') });
    assert.equal(snapshot.status, 'ok');
  } finally {
    await client.connection.close();
  }
  const health = (await (await fetch(`http://127.0.0.1:${apiPort}/health`)).json()) as { status: string; version: string };
  assert.equal(health.status, 'ok');
  assert.equal(health.version, require('../../package.json').version);
});
