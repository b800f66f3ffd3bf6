/**
 * A stack whose Schedules run (SCHEDULES_PAUSED=false, unlike other test stacks; their intervals
 * and crons set far apart so only what a test starts runs): the worker's health run at start-up,
 * so a fresh dashboard shows real statuses without waiting for the Schedule's interval; and the
 * weekly digest, started by its Schedule, mailing the low-severity incidents that were not paged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { DEFAULT_ESCALATION_MATRIX, DEFAULT_ONCALL_ROTATION, escalationDepth, onCallAt, type Severity } from '../../common/ops-policy';
import { incidentLifecycleWorkflow, incidentWorkflowId, type IncidentInput, type WeeklyDigestResult } from '../../contracts/ops';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { STARTUP_HEALTH_PREFIX, STARTUP_METRICS_PREFIX, startFirstHealthRun } from '../../workers/first-ops-runs';
import { OPS_SCHEDULE_IDS } from '../../workers/schedules';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const KEY = 'schedules-e2e-admin-key-0001';
const headers = { authorization: `Bearer ${KEY}` };
const HOUR = 3_600_000;
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
let admin: ReturnType<typeof sandboxAdmin>;
let upAt = 0;

before(async () => {
  ctx = await e2eContext({
    env: {
      API_KEYS: KEY,
      SCHEDULES_PAUSED: 'false',
      HEALTH_CHECK_INTERVAL_SECONDS: '3600',
      METRICS_INTERVAL_MINUTES: '1440',
      DIGEST_CRON: '0 9 1 1 *',
      BACKUP_CRON: '0 2 1 1 *',
      RETENTION_CRON: '30 3 1 1 *',
      DIGEST_EMAIL: 'noc-digest@example.com',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
    },
  });
  upAt = Date.now();
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (p: string) => `${stack.apiUrl}/api/v1${p}`;
const SERVICES = ['GoHighLevel API', 'MercadoPago API', 'MongoDB', 'Temporal'];

async function executions(type: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of temporal.workflow.list({ query: `WorkflowType = "${type}"` })) ids.push(w.workflowId);
  return ids;
}

test('start-up: the worker runs the health monitor once, so a fresh dashboard shows real statuses before the hourly Schedule', async () => {
  const realtime = await waitFor(
    'realtime services known',
    async () => {
      const r = await http('GET', api('/dashboard/metrics/realtime'), { headers });
      assert.equal(r.status, 200, r.text);
      const services = r.body.data.services.map((s: any) => [s.name, s.status]).sort();
      assert.deepEqual(services, SERVICES.map((n) => [n, 'healthy']));
      return r.body.data;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  assert.ok(Date.now() - upAt < 30_000 + 5_000, 'within seconds of start-up, not an interval later');
  assert.ok(realtime.services.every((s: any) => s.response_time_ms !== null));
  // The overview (the stored snapshot) too: a metrics snapshot follows the start-up health run.
  const overview = await waitFor(
    'the start-up metrics snapshot',
    async () => {
      const r = await http('GET', api('/dashboard/overview'), { headers });
      assert.equal(r.status, 200, r.text);
      return r.body.data;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  assert.deepEqual(overview.system_health.services.map((s: any) => [s.name, s.status]).sort(), SERVICES.map((n) => [n, 'healthy']));
  assert.match(overview.metadata.snapshot_id, new RegExp(`^${STARTUP_METRICS_PREFIX}`));

  // The runs that did it were the worker's start-up runs, not the Schedule's.
  const health = await waitFor('the start-up health run listed', async () => {
    const ids = (await executions('healthMonitor')).filter((id) => id.startsWith(STARTUP_HEALTH_PREFIX));
    assert.equal(ids.length, 1, ids.join());
    return ids[0];
  });
  assert.equal((await temporal.workflow.getHandle(health).describe()).status.name, 'COMPLETED');

  // Idempotent: a second worker starting in the same interval finds the run started…
  const cfg = { HEALTH_CHECK_INTERVAL_SECONDS: 3600 };
  const bucket = new Date(health.slice(STARTUP_HEALTH_PREFIX.length));
  assert.deepEqual(await startFirstHealthRun(temporal, cfg, new Date(bucket.getTime() + 60_000)), { workflowId: health, started: false });
  // …and of three workers starting at once, one starts it.
  const later = new Date(bucket.getTime() + 5 * HOUR);
  const three = await Promise.all([1, 2, 3].map(() => startFirstHealthRun(temporal, cfg, later)));
  assert.equal(three.filter((r) => r.started).length, 1, JSON.stringify(three));
  assert.equal(new Set(three.map((r) => r.workflowId)).size, 1);
  await temporal.workflow.getHandle(three[0].workflowId).result();
});

const incidentInput = (key: string, severity: Severity): IncidentInput => ({
  alert: { dedupKey: key, rule: 'disk_usage', severity, title: `Digest e2e ${key}`, message: `${key} fired`, source: 'e2e', firedAt: new Date().toISOString() },
  escalation: DEFAULT_ESCALATION_MATRIX[severity],
  levels: escalationDepth(DEFAULT_ONCALL_ROTATION),
  ackTimeoutMinutes: 60,
});

async function triggerDigest(): Promise<WeeklyDigestResult> {
  const handle = temporal.schedule.getHandle(OPS_SCHEDULE_IDS.weeklyDigest);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  return waitFor('the digest run', async () => {
    const actions = (await handle.describe()).info.recentActions;
    assert.ok(actions.length > before, 'not started yet');
    const run = actions[actions.length - 1].action.workflow;
    return temporal.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result() as Promise<WeeklyDigestResult>;
  });
}

test('weekly digest: low incidents are not paged; the Schedule mails them once a week to the on-call list with status, counts and execution links', async () => {
  const keys = { open: 'digest-e2e-open', acked: 'digest-e2e-acked', resolved: 'digest-e2e-resolved', medium: 'digest-e2e-medium' };
  const handles = Object.fromEntries(
    await Promise.all(
      Object.entries(keys).map(async ([name, key]) => [
        name,
        await temporal.workflow.start(incidentLifecycleWorkflow.type, { taskQueue: incidentLifecycleWorkflow.taskQueue, workflowId: incidentWorkflowId(key), args: [incidentInput(key, name === 'medium' ? 'medium' : 'low')] }),
      ]),
    ),
  );
  await waitFor('the incidents projected', async () => assert.equal(await db.collection('incidents').countDocuments({ dedupKey: { $in: Object.values(keys) } }), 4));
  assert.equal((await http('POST', api(`/incidents/${keys.acked}/acknowledge`), { headers, body: { note: 'mirando' } })).status, 200);
  assert.equal((await http('POST', api(`/incidents/${keys.resolved}/resolve`), { headers, body: { note: 'listo' } })).status, 200);
  await waitFor('statuses projected', async () => {
    const docs = await db.collection('incidents').find({ dedupKey: { $in: [keys.acked, keys.resolved] } }).toArray();
    assert.deepEqual(docs.map((d) => d.status).sort(), ['acknowledged', 'resolved']);
  });

  // The low ones were "paged" on the digest channel only: recorded, nothing sent to anyone.
  await waitFor('the digest-channel notifications recorded', async () => {
    const rows = await db.collection('incident_notifications').find({ dedupKey: keys.open }).toArray();
    assert.deepEqual(rows.map((r) => [r.channel, r.recipient, r.outcome]), [['digest', 'weekly digest', 'sent']]);
  });
  const primary = onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person.email;
  await waitFor('the medium incident paged by email', async () => assert.ok((await admin.mail(primary)).some((m) => m.text.includes(`incident-${keys.medium}`))));
  assert.ok(!(await admin.mail()).some((m) => m.text.includes(`incident-${keys.open}`)), 'no page for a low incident');

  const result = await triggerDigest();
  assert.equal(result.sent, true, JSON.stringify(result));
  assert.deepEqual(result.counts, { incidents: 3, opened: 3, resolved: 1, open: 2, alerts: 3 });
  assert.deepEqual(result.recipients, [primary, 'noc-digest@example.com']);
  const digests = (await admin.mail('noc-digest@example.com')).filter((m) => m.subject.startsWith('[LOW] Weekly digest'));
  assert.equal(digests.length, 1);
  const mail = digests[0];
  assert.deepEqual([...mail.to].sort(), [primary, 'noc-digest@example.com'].sort());
  assert.equal(mail.subject, `[LOW] Weekly digest ${result.week}: 3 low-severity incidents (2 still open)`);
  assert.equal(mail.messageId, result.messageId);
  assert.match(mail.text, /Incidents: 3 {3}Opened this week: 3 {3}Resolved this week: 1 {3}Still open: 2 {3}Alerts: 3/);
  const ns = encodeURIComponent(stack.namespace);
  for (const [name, status] of [['open', 'open \\(not acknowledged\\)'], ['acked', 'acknowledged'], ['resolved', 'resolved']] as const) {
    const key = keys[name];
    assert.match(mail.text, new RegExp(`- Digest e2e ${key} \\[${status}\\]\\n {2}Rule: disk_usage {3}Key: ${key} {3}Alerts: 1`), key);
    const link = `http://127.0.0.1:8233/namespaces/${ns}/workflows/${encodeURIComponent(incidentWorkflowId(key))}/${handles[name].firstExecutionRunId}/history`;
    assert.ok(mail.text.includes(`Execution: ${link}`), `${key}: ${link}`);
    assert.ok(mail.html.includes(`<a href="${link}">`), `${key} linked in HTML`);
  }
  assert.match(mail.text, /Resolved: \S+ by api-key:API_KEYS #1/);
  assert.ok(!mail.text.includes(keys.medium), 'only low severity');
  const stored = await db.collection('weekly_digests').findOne({ _id: result.week as never });
  assert.equal(stored?.status, 'sent');
  assert.equal(stored?.messageId, result.messageId);

  // Triggered again the same week: nothing sent again.
  const again = await triggerDigest();
  assert.deepEqual([again.week, again.sent], [result.week, false]);
  assert.match(again.skipped ?? '', /was sent already/);
  assert.equal((await admin.mail('noc-digest@example.com')).filter((m) => m.subject.startsWith('[LOW] Weekly digest')).length, 1);
});
