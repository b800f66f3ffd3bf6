/**
 * Several workers starting at once (issue 19): their start-up registrations (every Schedule, the
 * start-up health run) race against one Temporal. No error, one Schedule each, one start-up run;
 * and the same when they start with a changed spec (the update path) or a changed pause state.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { parseConfig, type Config } from '../../common/config';
import { createTemporalClient } from '../../common/temporal';
import { startFirstHealthRun, STARTUP_HEALTH_PREFIX } from '../../workers/first-ops-runs';
import { ensureSchedules, productSchedules } from '../../workers/schedules';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { registerTestNamespace } from '../harness/stack';

let servers: IntegrationServers;
let namespace: string;
const clients: Client[] = [];
before(async () => {
  servers = await integrationServers();
  namespace = await registerTestNamespace(servers.temporalAddress);
});
after(async () => {
  await Promise.all(clients.map((c) => c.connection.close()));
  await servers.stop();
});

/** A worker's own client, as each worker process makes one. */
const worker = (config: Config) => {
  const c = createTemporalClient(config);
  clients.push(c);
  return c;
};

async function scheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) ids.push(s.scheduleId);
  return ids.sort();
}

test('two workers register at once: no error, one of each Schedule, one start-up health run; again with a changed spec and pause state', async () => {
  const config = parseConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: servers.temporalAddress, TEMPORAL_NAMESPACE: namespace, SCHEDULES_PAUSED: 'true' });
  const [a, b] = [worker(config), worker(config)];
  const expected = productSchedules(config).map((s) => s.scheduleId).sort();

  const [ra, rb] = await Promise.all([ensureSchedules(a, config), ensureSchedules(b, config)]);
  for (const id of expected) {
    const outcomes = [ra[id], rb[id]].sort();
    assert.ok(outcomes.includes('created'), `${id}: ${outcomes}`);
    assert.notDeepEqual(outcomes, ['created', 'created'], `${id} created twice`);
  }
  // Listing is eventually consistent (visibility): wait until all are listed, then check there are no more.
  let listed: string[] = [];
  for (let i = 0; i < 100 && listed.length < expected.length; i++) {
    listed = await scheduleIds(a);
    if (listed.length < expected.length) await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(listed, expected);

  // A deploy that changes a spec and resumes the Schedules: both workers update at once.
  const changed = parseConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: servers.temporalAddress, TEMPORAL_NAMESPACE: namespace, SCHEDULES_PAUSED: 'false', METRICS_INTERVAL_MINUTES: '1440', HEALTH_CHECK_INTERVAL_SECONDS: '3600' });
  const [ua, ub] = await Promise.all([ensureSchedules(worker(changed), changed), ensureSchedules(worker(changed), changed)]);
  assert.ok(Object.values({ ...ua, ...ub }).every((o) => o === 'updated' || o === 'unchanged'), JSON.stringify({ ua, ub }));
  const metrics = await a.schedule.getHandle('ops-metrics-snapshot').describe();
  assert.deepEqual([metrics.state.paused, metrics.spec.intervals?.[0]?.every], [false, 24 * 3_600_000]);
  // Pause everything again before anything runs by itself.
  await Promise.all([ensureSchedules(worker(config), config), ensureSchedules(worker(config), config)]);
  assert.equal((await a.schedule.getHandle('ops-metrics-snapshot').describe()).state.paused, true);

  // The start-up health run: of two workers starting in one interval, one starts it.
  const now = new Date();
  const runs = await Promise.all([startFirstHealthRun(a, changed, now), startFirstHealthRun(b, changed, now)]);
  assert.equal(runs.filter((r) => r.started).length, 1, JSON.stringify(runs));
  assert.equal(new Set(runs.map((r) => r.workflowId)).size, 1);
  assert.ok(runs[0].workflowId.startsWith(STARTUP_HEALTH_PREFIX));
  await a.workflow.getHandle(runs[0].workflowId).terminate('test: no worker polls this namespace');
});
