/**
 * A 30-second MongoDB outage, shorter than the health monitor's minute, is noticed: the worker's
 * database watchdog raises `dependency-down:mongodb` (critical: SMS, email and Slack) while the
 * database is still down, and the first good ping after it resolves the incident with one recovery
 * page. Its own Temporal server and FerretDB (stopping the run's shared database would break the
 * other test files running beside it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { incidentQuery } from '../../contracts/ops';
import { startFerretDB, waitFor, type ManagedProcess } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { startServers } from '../harness/servers';
import { startStack, type RunningStack } from '../harness/stack';

let servers: Awaited<ReturnType<typeof startServers>>;
let stack: RunningStack;
let temporal: Client;
let admin: ReturnType<typeof sandboxAdmin>;
let restarted: ManagedProcess | undefined;
const KEY = 'database-outage-api-key-0001';

before(async () => {
  servers = await startServers();
  stack = await startStack(servers, { env: { API_KEYS: KEY } });
  temporal = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: stack.namespace });
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await temporal?.connection.close();
  await stack?.stop();
  await restarted?.stop();
  await servers?.stop();
});

const primary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
const mailsAbout = async (subject: string) => (await admin.mail(primary().email)).filter((m) => m.subject.includes(subject));

test('MongoDB stopped for 30 s: one critical incident opens during the outage (SMS, email, Slack) and resolves with one recovery page after it', async () => {
  const ferret = servers.procs[1];
  const port = Number(servers.mongoAddress.split(':')[1]);
  const stoppedAt = Date.now();
  await ferret.stop();

  const incident = temporal.workflow.getHandle('incident-dependency-down:mongodb');
  await waitFor('the page while the database is down', async () => {
    if ((await mailsAbout('[CRITICAL] Incident opened: MongoDB is down')).length !== 1) throw new Error('not paged yet');
  }, { timeoutMs: 28_000 });
  const pagedAfterMs = Date.now() - stoppedAt;
  assert.ok(pagedAfterMs < 30_000, `paged ${pagedAfterMs} ms into the outage`);
  assert.equal((await incident.query(incidentQuery)).severity, 'critical');
  assert.equal((await admin.sms()).filter((m) => m.body.includes('MongoDB is down') && m.body.includes('opened')).length, 1, 'one SMS');
  assert.equal((await admin.slack()).filter((m) => m.text.includes('Incident opened: MongoDB is down')).length, 1, 'one Slack page');

  await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
  restarted = await startFerretDB({ port, dataDir: path.join(servers.dir, 'ferretdb'), logFile: path.join(servers.dir, 'ferretdb-restarted.log') });

  const resolved = await incident.result();
  assert.equal(resolved.resolution, 'auto');
  await waitFor('one recovery page', async () => {
    if ((await mailsAbout('Recovered: MongoDB is down')).length !== 1) throw new Error('no recovery page yet');
  });
  assert.equal((await mailsAbout('Incident opened: MongoDB is down')).length, 1, 'one incident for the whole outage, however many pings failed');
  // The incident's projection was written once the database was back.
  await waitFor('the projection', async () => {
    const r = await fetch(`${stack.apiUrl}/api/v1/incidents/${encodeURIComponent('dependency-down:mongodb')}`, { headers: { authorization: `Bearer ${KEY}` } });
    if (r.status !== 200) throw new Error(`API answered ${r.status}`);
  });
});
