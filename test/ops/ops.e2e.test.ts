/**
 * Operations on the running stack (dev server, FerretDB, sandbox with its real SMTP server, Slack
 * receiver and Twilio, worker and API processes): Schedules registered at start-up, the health monitor
 * opening, feeding and resolving incidents, cooldown and maintenance windows, the metrics snapshot
 * and its rules, acknowledging by API and resolving with the real tctl, a failed backup paging.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { toolPath, waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { incidentQuery } from '../../contracts/ops';
import { OPS_SCHEDULE_IDS, PAYOUT_SCHEDULE_ID } from '../../workers/schedules';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const run = promisify(execFile);
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
let admin: ReturnType<typeof sandboxAdmin>;
const KEY = 'ops-e2e-api-key-000001';
const headers = { authorization: `Bearer ${KEY}` };

before(async () => {
  // A backup folder that cannot be created (its parent is a file): the backup run must fail and page.
  ctx = await e2eContext({ env: { API_KEYS: KEY, BACKUP_DIR: '/etc/hostname/backups' } });
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (path: string) => `${stack.apiUrl}/api/v1${path}`;
const primary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
let runs = 0;
const runOps = <T = any>(workflowType: string) => temporal.workflow.execute(workflowType, { taskQueue: 'ops', workflowId: `${workflowType}-e2e-${++runs}`, args: [] }) as Promise<T>;
const pagesAbout = async (text: string) => (await admin.mail(primary().email)).filter((m) => m.subject.includes(text) || m.text.includes(text));
const smsAbout = async (text: string) => (await admin.sms(primary().phone)).filter((m) => m.body.includes(text));

test('every Schedule exists after start-up (paused on test stacks), with the configured specs', async () => {
  const ids = [...Object.values(OPS_SCHEDULE_IDS), PAYOUT_SCHEDULE_ID];
  const described = await Promise.all(ids.map((id) => temporal.schedule.getHandle(id).describe()));
  const byId = Object.fromEntries(described.map((d) => [d.scheduleId, d]));
  assert.equal((byId[OPS_SCHEDULE_IDS.healthMonitor].action as any).workflowType, 'healthMonitor');
  assert.equal(byId[OPS_SCHEDULE_IDS.healthMonitor].spec.intervals?.[0].every, 60_000);
  assert.equal(byId[OPS_SCHEDULE_IDS.metrics].spec.intervals?.[0].every, 5 * 60_000);
  assert.equal(byId[OPS_SCHEDULE_IDS.ghlTokenRefresh].spec.intervals?.[0].every, 12 * 3_600_000);
  assert.equal(byId[OPS_SCHEDULE_IDS.backup].spec.timezone, 'America/Argentina/Buenos_Aires');
  assert.deepEqual(
    byId[OPS_SCHEDULE_IDS.backup].spec.calendars?.map((c) => [c.hour?.[0]?.start, c.minute?.[0]?.start]),
    [[2, 0]],
    'nightly at 02:00',
  );
  for (const d of described) assert.equal(d.state.paused, true, `${d.scheduleId} paused by SCHEDULES_PAUSED`);

  // Triggered by hand, the health monitor's Schedule runs it and every dependency is up.
  const handle = temporal.schedule.getHandle(OPS_SCHEDULE_IDS.healthMonitor);
  await handle.trigger();
  await waitFor('the triggered health check', async () => {
    const actions = (await handle.describe()).info.recentActions;
    if (actions.length === 0) throw new Error('not yet');
    const snapshot = await temporal.workflow.getHandle(actions[0].action.workflow.workflowId, actions[0].action.workflow.firstExecutionRunId).result();
    assert.deepEqual(snapshot.probes.map((p: any) => [p.name, p.status === 'down' ? 'down' : 'up']), [['mongodb', 'up'], ['temporal', 'up'], ['mercadopago', 'up'], ['gohighlevel', 'up']]);
  });
});

test('MercadoPago down: an incident pages on-call by SMS, email and Slack once, repeats are counted, recovery resolves it; down again after the recovery pages again at once', async () => {
  await admin.fault({ provider: 'mercadopago', path: '/v1/payment_methods', kind: 'error', status: 503, count: -1 });
  const first = await runOps('healthMonitor');
  assert.equal(first.probes.find((p: any) => p.name === 'mercadopago').status, 'down');
  const incident = temporal.workflow.getHandle('incident-dependency-down:mercadopago');
  await waitFor('the page by email', async () => {
    if ((await pagesAbout('MercadoPago API is down')).length !== 1) throw new Error('no page yet');
  });
  const page = (await pagesAbout('MercadoPago API is down'))[0];
  assert.match(page.subject, /^\[CRITICAL\] Incident opened: MercadoPago API is down/);
  await waitFor('the page on Slack', async () => {
    if (!(await admin.slack()).some((m) => m.text.includes('MercadoPago API is down') && m.text.includes(primary().name))) throw new Error('no Slack page');
  });
  await waitFor('the page by SMS', async () => {
    if ((await smsAbout('MercadoPago API is down')).length === 0) throw new Error('no SMS');
  });
  const [sms] = await smsAbout('MercadoPago API is down');
  assert.match(sms.body, new RegExp(`^\\[CRITICAL\\] Incident opened: MercadoPago API is down \\(1 alert\\) ${stack.apiUrl}/dashboard/ ref [0-9a-f]{6}$`));
  assert.equal(sms.numSegments, 1);

  await runOps('healthMonitor');
  assert.equal((await incident.query(incidentQuery)).alertCount, 2, 'the repeat joined the open incident');
  assert.equal((await pagesAbout('MercadoPago API is down')).length, 1, 'and did not page again');
  assert.equal((await smsAbout('MercadoPago API is down')).length, 1, 'one SMS for level 1, not one per alert');

  await admin.clearFaults();
  await runOps('healthMonitor');
  const resolved = await incident.result();
  assert.equal(resolved.resolution, 'auto');
  await waitFor('the recovery notice', async () => {
    if ((await pagesAbout('Recovered: MercadoPago API is down')).length !== 1) throw new Error('no recovery notice');
    if ((await smsAbout('Recovered: MercadoPago API is down')).length !== 1) throw new Error('no recovery SMS');
  });

  // Down again minutes after its recovery, within the rule's 30-min cooldown: a critical
  // dependency pages again at once (a new incident), never silence.
  await admin.fault({ provider: 'mercadopago', path: '/v1/payment_methods', kind: 'error', status: 503, count: -1 });
  await runOps('healthMonitor');
  await waitFor('the second outage paged', async () => {
    if ((await pagesAbout('Incident opened: MercadoPago API is down')).length !== 2) throw new Error('not paged again');
  });
  const alert = await db.collection('alerts').findOne({ _id: 'dependency-down:mercadopago' as never });
  assert.equal(alert?.suppressed, undefined);
  assert.equal(alert?.reopenedAt?.length, 1);
  await admin.clearFaults();
  await runOps('healthMonitor');
  assert.equal((await temporal.workflow.getHandle('incident-dependency-down:mercadopago').result()).resolution, 'auto');
  await waitFor('the second recovery SMS', async () => {
    if ((await smsAbout('Recovered: MercadoPago API is down')).length !== 2) throw new Error('not yet');
  });
  // Each incident texted exactly once when opened and once when recovered, each page its own ref.
  const texts = await smsAbout('MercadoPago API is down');
  assert.deepEqual(texts.map((m) => m.body.split(':')[0]), ['[CRITICAL] Incident opened', '[CRITICAL] Recovered', '[CRITICAL] Incident opened', '[CRITICAL] Recovered']);
  assert.equal(new Set(texts.map((m) => m.body.slice(-6))).size, 4);
});

test('a maintenance window suppresses new incidents of its rules', async () => {
  const start = new Date(Date.now() - 60_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  const created = await http('POST', api('/maintenance-windows'), { headers, body: { start, end, rules: ['provider_degraded'], reason: 'GoHighLevel maintenance' } });
  assert.equal(created.status, 201);
  await admin.fault({ provider: 'gohighlevel', path: '/locations/', kind: 'error', status: 502, count: -1 });
  try {
    await runOps('healthMonitor');
    const alert = await db.collection('alerts').findOne({ _id: 'dependency-down:gohighlevel' as never });
    assert.equal(alert?.status, 'open', 'the alert is recorded');
    assert.match(alert?.suppressed, /^maintenance: GoHighLevel maintenance/);
    const described = await temporal.workflow.getHandle('incident-dependency-down:gohighlevel').describe().catch(() => null);
    assert.equal(described, null, 'no incident was opened');
  } finally {
    await admin.clearFaults();
    assert.equal((await http('DELETE', api(`/maintenance-windows/${created.body.id}`), { headers })).status, 204);
  }
  const bad = await http('POST', api('/maintenance-windows'), { headers, body: { start: end, end: start } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'end');
  // A window names rules that exist and silences them for a week at most; nothing stored otherwise.
  const before = await db.collection('maintenance_windows').countDocuments();
  const unknown = await http('POST', api('/maintenance-windows'), { headers, body: { start, end, rules: ['provider_degraded', 'no_such_rule'] } });
  assert.deepEqual([unknown.status, unknown.body.error.code, unknown.body.error.field], [422, 'unknown_rule', 'rules.1']);
  const tooLong = await http('POST', api('/maintenance-windows'), { headers, body: { start, end: new Date(Date.now() + 8 * 86_400_000).toISOString(), rules: ['order_step_failed'] } });
  assert.deepEqual([tooLong.status, tooLong.body.error.code, tooLong.body.error.field], [422, 'window_too_long', 'end']);
  assert.equal(await db.collection('maintenance_windows').countDocuments(), before);
});

test('metrics: a paid webhook and five forged ones → the snapshot counts them, security_threat opens an incident; acknowledged by API, resolved with the real tctl', async () => {
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 1234.56, currency_id: 'ARS', payer: { email: 'metrics-buyer@example.com' } });
  const sent = await admin.sendWebhook({ url: `${stack.apiUrl}/webhooks/mercadopago`, paymentId: p.id });
  assert.equal(sent.status, 200);
  await waitFor('the webhook processed', async () => {
    if ((await db.collection('webhook_events').findOne({ _id: `mp-${sent.notificationId}` as never }))?.status !== 'succeeded') throw new Error('not yet');
  });
  for (let i = 0; i < 5; i++) {
    const forged = await admin.sendWebhook({ url: `${stack.apiUrl}/webhooks/mercadopago`, paymentId: p.id, secret: 'forged-secret-000' });
    assert.equal(forged.status, 401);
  }

  const checked = await http('POST', api('/ops/metrics/check'), { headers, timeoutMs: 60_000 });
  assert.equal(checked.status, 200);
  const s = checked.body.snapshot;
  assert.equal(s.financials.payments_approved, 1);
  assert.equal(s.financials.total_processed_today.ARS, 1234.56);
  assert.equal(s.financials.total_processed_month.ARS, 1234.56);
  assert.equal(s.financials.approval_rate, 100);
  assert.equal(s.performance.transactions_per_client['metrics-buyer@example.com'], 1);
  assert.equal(s.performance.webhooks_last_hour.succeeded, 1);
  assert.ok(s.performance.webhook_avg_response_time > 0);
  assert.equal(s.security.threats_last_hour, 5);
  assert.equal(s.security.top_threats[0].threat_type, 'INVALID_WEBHOOK_SIGNATURE');
  assert.equal(s.security.threat_level, 'high');
  assert.ok(s.trends.hourly_volume.some((h: any) => h.approved === 1));
  assert.deepEqual(
    checked.body.alerts.filter((a: any) => a.rule === 'security_threat'),
    [{ dedupKey: 'security-threat', rule: 'security_threat', outcome: 'opened' }],
  );

  await waitFor('the incident listed as open', async () => {
    const list = await http('GET', api('/incidents?status=open'), { headers });
    if (!list.body.items.some((i: any) => i.dedup_key === 'security-threat' && i.severity === 'critical')) throw new Error('not listed');
  });
  const acked = await http('POST', api('/incidents/security-threat/acknowledge'), { headers, body: { note: 'rotating the webhook secret' } });
  assert.equal(acked.status, 200);
  assert.equal(acked.body.status, 'acknowledged');
  assert.equal(acked.body.acknowledged_by, 'api-key:API_KEYS #1');

  const tctl = await run(toolPath('tctl'), ['--address', ctx.servers.temporalAddress, '--namespace', stack.namespace, 'workflow', 'signal', '--workflow_id', 'incident-security-threat', '--name', 'resolve', '--input', '{"by":"ana@ops","note":"secret rotated"}'], { timeout: 30_000 });
  assert.match(tctl.stdout + tctl.stderr, /succeeded/i);
  const final = await temporal.workflow.getHandle('incident-security-threat').result();
  assert.equal(final.resolvedBy, 'ana@ops');
  await waitFor('the incident listed as resolved', async () => {
    const list = await http('GET', api('/incidents?status=resolved'), { headers });
    if (!list.body.items.some((i: any) => i.dedup_key === 'security-threat' && i.resolved_by === 'ana@ops')) throw new Error('not listed');
  });
  const again = await http('POST', api('/incidents/security-threat/resolve'), { headers, body: {} });
  assert.deepEqual([again.status, again.body.error.code], [409, 'already_resolved'], 'resolving a resolved incident is a conflict');
  assert.equal((await http('POST', api('/incidents/never-opened/resolve'), { headers, body: {} })).status, 404, 'nothing to resolve');
  assert.equal((await http('GET', api('/incidents?status=bogus'), { headers })).status, 400);
  assert.equal((await http('GET', api('/incidents'))).status, 401);
  assert.ok((await db.collection('incident_notifications').countDocuments({ dedupKey: 'security-threat', outcome: 'sent' })) >= 2, 'each page recorded');
});

test('a backup that cannot be written fails its run and opens a critical backup_failed incident; Twilio down does not keep it off email and Slack', async () => {
  // Twilio answers 503 (Retry-After: 1) to every SMS until cleared.
  await admin.fault({ provider: 'twilio', path: '/Messages.json', kind: 'error', status: 503, retryAfterSeconds: 1, count: -1 });
  try {
    await backupFailsAndPages();
  } finally {
    await admin.clearFaults();
  }
});

async function backupFailsAndPages() {
  await assert.rejects(runOps('databaseBackup'), /cannot write backups|ENOTDIR|Workflow execution failed/);
  const incident = temporal.workflow.getHandle('incident-backup-failed');
  await waitFor('the backup_failed incident', async () => {
    const state = await incident.query(incidentQuery);
    assert.equal(state.severity, 'critical');
    assert.equal(state.rule, 'backup_failed');
    assert.match(state.message, /cannot write backups to \/etc\/hostname\/backups/);
  });
  await waitFor('the page', async () => {
    if ((await pagesAbout('Database backup failed')).length === 0) throw new Error('no page');
  });
  await waitFor('the page on Slack', async () => {
    if (!(await admin.slack()).some((m) => m.text.includes('Database backup failed'))) throw new Error('no Slack page');
  });
  // Email and Slack went out while the SMS was still being refused; its retries follow Twilio's
  // Retry-After (1 s, not the policy's 5 s backoff) and after the fifth attempt the channel is recorded failed.
  const failed = await waitFor('the SMS recorded failed', async () => {
    const n = await db.collection('incident_notifications').findOne({ dedupKey: 'backup-failed', channel: 'sms' });
    if (!n) throw new Error('not yet');
    return n;
  }, { timeoutMs: 60_000 });
  assert.equal(failed.outcome, 'failed');
  assert.match(failed.error, /twilio POST .* 503: injected fault/);
  assert.deepEqual((await db.collection('incident_notifications').find({ dedupKey: 'backup-failed', outcome: 'sent' }).toArray()).map((n) => n.channel).sort(), ['email', 'slack']);
  assert.equal((await smsAbout('Database backup failed')).length, 0);
  const attempts = (await admin.calls({ provider: 'twilio' })).calls.filter((c: any) => String(c.body?.Body).includes('Database backup failed')) as unknown as { at: string; status: number }[];
  assert.deepEqual(attempts.map((c) => c.status), [503, 503, 503, 503, 503], 'pageOnOneChannel: five attempts');
  for (let i = 1; i < attempts.length; i++) {
    const gap = Date.parse(attempts[i].at) - Date.parse(attempts[i - 1].at);
    assert.ok(gap < 4500, `attempt ${i + 1} came ${gap} ms after the previous one: Retry-After not honoured`);
  }
}
