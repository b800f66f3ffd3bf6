/**
 * Cooldown after recovery on the time-skipping server, through the real chain: the health monitor
 * workflow, the real alerting activities (the one alert path, its bookkeeping in real FerretDB),
 * real incident workflows and real pages to a real SMTP server. Only the probes are doubles, so
 * the test decides when MercadoPago is down, degraded or up; the clock is the server's (cooldowns
 * are measured on the monitor run's own time), moved only by env.sleep.
 *   critical (down): outage → recovery → outage 5 min later pages at once; a third re-opening
 *   within the 30-min cooldown is flapping and held back; after the cooldown it pages again.
 *   high (degraded): again within the cooldown is suppressed; after it, a new incident.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfig } from '../../common/config';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { healthMonitorWorkflow, type ProbeResult } from '../../contracts/ops';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { ensureIndexes } from '../../domain/persistence/models';
import { activitiesFor } from '../../workers/task-queues';
import { startPagingSinks } from '../harness/paging-sinks';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

let servers: IntegrationServers;
let sinks: Awaited<ReturnType<typeof startPagingSinks>>;
let env: TestWorkflowEnvironment;
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('cooldown') });
  await ensureIndexes();
  sinks = await startPagingSinks();
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
  await sinks?.close();
  await disconnectMongo();
  await servers?.stop();
});

const up = (name: string): ProbeResult => ({ name, status: 'ok', latencyMs: 20 });
let mercadoPago: ProbeResult = up('mercadopago');

function activities() {
  const config = parseConfig({ ...sinks.env } as NodeJS.ProcessEnv);
  return {
    ...activitiesFor('ops', config),
    probeMongo: async () => up('mongodb'),
    probeTemporal: async () => up('temporal'),
    probeGoHighLevel: async () => up('gohighlevel'),
    probeMercadoPago: async () => mercadoPago,
  };
}

const primary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
const opened = (title: string) => sinks.mailTo(primary().email).filter((m) => m.subject.includes(`Incident opened: ${title}`)).length;

test('a critical dependency down again 5 min after its recovery pages at once; flapping is held back; after the cooldown it pages again; a high one waits out its cooldown', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    // A plain client: waiting for a result never lets the server skip ahead (only env.sleep does).
    const client = new Client({ connection: env.connection, namespace: env.namespace });
    let runs = 0;
    const monitor = () => client.workflow.execute(healthMonitorWorkflow.type, { taskQueue: healthMonitorWorkflow.taskQueue, workflowId: `monitor-${++runs}` });
    const incidentOf = (key: string) => client.workflow.getHandle(`incident-${key}`);
    const outage = async () => {
      mercadoPago = { name: 'mercadopago', status: 'down', latencyMs: 5000, error: 'connect ECONNREFUSED' };
      await monitor();
    };
    const recovery = async () => {
      mercadoPago = up('mercadopago');
      await monitor();
      await incidentOf('dependency-down:mercadopago').result();
    };
    const waitForPages = async (title: string, n: number) => {
      for (let i = 0; i < 100 && opened(title) < n; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(opened(title), n);
    };
    const down = 'MercadoPago API is down';

    await outage();
    await waitForPages(down, 1);
    await recovery();
    await env.sleep('5 minutes');
    await outage();
    await waitForPages(down, 2); // a new outage after recovery: paged at once, not after 30 min
    await recovery();
    await env.sleep('5 minutes');
    await outage();
    await waitForPages(down, 3); // re-opened twice within the cooldown: still paged
    await recovery();
    await env.sleep('5 minutes');
    await outage(); // the third re-opening within 30 min: flapping, held back
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(opened(down), 3, 'flapping is not paged');
    const alert = await (await import('../../domain/persistence/models/alert')).Alert.findById('dependency-down:mercadopago').lean<{ suppressed?: string }>();
    assert.equal(alert?.suppressed, 'cooldown');
    await env.sleep('31 minutes');
    await outage(); // the cooldown has passed: the still-down dependency pages
    await waitForPages(down, 4);
    await recovery();

    // High (degraded, not down): suppressed within its 30-min cooldown after the first incident.
    const degraded = 'MercadoPago API is degraded';
    mercadoPago = { name: 'mercadopago', status: 'degraded', latencyMs: 2500 };
    await monitor();
    await waitForPages(degraded, 1);
    mercadoPago = up('mercadopago');
    await monitor();
    await incidentOf('dependency-degraded:mercadopago').result();
    await env.sleep('5 minutes');
    mercadoPago = { name: 'mercadopago', status: 'degraded', latencyMs: 2500 };
    await monitor();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(opened(degraded), 1, 'a high one inside its cooldown is suppressed');
    await env.sleep('30 minutes');
    await monitor();
    await waitForPages(degraded, 2);
  });
});
