/**
 * One outage → one page per channel and level, one recovery page (issue: the storm of 20 HIGH
 * incidents). On the running stack: GoHighLevel refuses the CRM tag for 20 approved payments; the
 * 20 failed webhook executions are one grouped incident with a count and their links; after a bulk
 * retry every event is processed and the incident recovers with one page. With GoHighLevel's own
 * down-incident open, further failures attach to it and page nobody.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { incidentQuery } from '../../contracts/ops';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let admin: ReturnType<typeof sandboxAdmin>;
const KEY = 'grouped-paging-api-key-0001';
const auth = { authorization: `Bearer ${KEY}` };

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY } });
  ({ stack, temporal } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const webhookUrl = () => `${stack.apiUrl}/webhooks/mercadopago`;
const primary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
const GROUP = 'webhook-failed:mercadopago:tagCrmContact';
const groupTitle = 'MercadoPago webhooks failing at tagCrmContact';
const mailsAbout = async (subject: string) => (await admin.mail(primary().email)).filter((m) => m.subject.includes(subject));
const slackAbout = async (text: string) => (await admin.slack()).filter((m) => m.text.includes(text));
let seq = 7_100_000;

async function approvedPayments(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await admin.createPayment({ status: 'approved', transaction_amount: 1000 + i, payer: { email: `${tag}-${i}@example.com` } });
    const notificationId = ++seq;
    const r = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, notificationId });
    assert.equal(r.status, 200);
    ids.push(`mp-${notificationId}`);
  }
  return ids;
}

async function waitForEvents(ids: string[], status: string) {
  await waitFor(`${ids.length} events ${status}`, async () => {
    const statuses = await Promise.all(ids.map(async (id) => (await http('GET', `${stack.apiUrl}/api/v1/webhook-events/${id}`, { headers: auth })).body?.status));
    const missing = statuses.filter((s) => s !== status).length;
    if (missing > 0) throw new Error(`${missing} not ${status} yet`);
  }, { timeoutMs: 120_000 });
}

test('GoHighLevel refusing the tag for 20 approved payments: one grouped incident, one page per channel, the executions listed; a bulk retry processes all and one recovery page follows', async () => {
  await admin.fault({ provider: 'gohighlevel', path: '/tags', kind: 'error', status: 401, count: -1 });
  const ids = await approvedPayments(20, 'storm');
  await waitForEvents(ids, 'failed');

  const incident = temporal.workflow.getHandle(`incident-${GROUP}`);
  await waitFor('every failure counted on the one incident', async () => {
    const s = await incident.query(incidentQuery);
    if (s.affected?.total !== 20) throw new Error(`${s.affected?.total} affected`);
  });
  const state = await incident.query(incidentQuery);
  assert.equal(state.severity, 'high');
  assert.equal(state.affected?.open, 20);
  assert.deepEqual(new Set(state.affected?.listed.map((x) => x.key)), new Set(ids.map((id) => `webhook-failed:${id}`)));

  const opened = await mailsAbout(`Incident opened: ${groupTitle}`);
  assert.equal(opened.length, 1, 'one page by email');
  assert.equal((await slackAbout(`Incident opened: ${groupTitle}`)).length, 1, 'one page on Slack');
  assert.equal((await admin.mail(primary().email)).filter((m) => /Incident opened: webhook processing failed/.test(m.subject)).length, 0, 'no page per execution');
  assert.match(opened[0].text, /Affected executions: \d+ \(\d+ not recovered\)\n {2}- webhook-mp-\d+: http/);

  // The API and the dashboard's alerts list show the count and each execution's Web UI link.
  // (They read the incident's projection, written in order after each change: it catches up.)
  let grouped: any;
  await waitFor('the projection of all 20', async () => {
    const listed = await http('GET', `${stack.apiUrl}/api/v1/incidents?status=open`, { headers: auth });
    grouped = listed.body.items.find((i: any) => i.dedup_key === GROUP);
    if (grouped?.affected?.total !== 20) throw new Error(`${grouped?.affected?.total} in the projection`);
  });
  assert.equal(grouped.affected.executions.length, 20);
  assert.match(grouped.affected.executions[0].url, new RegExp(`/namespaces/${stack.namespace}/workflows/webhook-mp-\\d+$`));
  const board = await http('GET', `${stack.apiUrl}/api/v1/dashboard/alerts`, { headers: auth });
  assert.equal(board.body.data.incidents.find((i: any) => i.dedup_key === GROUP).affected.open, 20);

  await admin.clearFaults();
  const bulk = await http('POST', `${stack.apiUrl}/api/v1/webhook-events/retry`, { headers: auth, body: { type: 'payment' } });
  assert.equal(bulk.status, 202);
  await waitForEvents(ids, 'succeeded');
  const resolved = await incident.result();
  assert.equal(resolved.resolution, 'auto');
  assert.equal(resolved.affected?.open, 0);
  await waitFor('one recovery page', async () => {
    if ((await mailsAbout(`Recovered: ${groupTitle}`)).length !== 1) throw new Error('no recovery page yet');
  });
  assert.equal((await slackAbout(`Recovered: ${groupTitle}`)).length, 1);
  assert.equal((await mailsAbout(`Incident opened: ${groupTitle}`)).length, 1, 'still one opening page');
  const contacts = await admin.contacts();
  assert.equal(contacts.filter((c) => c.email.startsWith('storm-') && c.tags.includes('pago-aprobado')).length, 20, 'all 20 tagged once retried');
});

test('with GoHighLevel’s down-incident open, failures attach to it: listed there, nobody paged again', async () => {
  await admin.fault({ provider: 'gohighlevel', path: '/locations/', kind: 'error', status: 503, count: -1 });
  await admin.fault({ provider: 'gohighlevel', path: '/tags', kind: 'error', status: 401, count: -1 });
  const monitor = (n: number) => temporal.workflow.execute('healthMonitor', { taskQueue: 'ops', workflowId: `grouped-health-${n}`, args: [] });
  await monitor(1);
  const down = temporal.workflow.getHandle('incident-dependency-down:gohighlevel');
  await waitFor('the down-incident paged', async () => {
    if ((await mailsAbout('Incident opened: GoHighLevel API is down')).length !== 1) throw new Error('not paged yet');
  });
  const before = (await admin.mail(primary().email)).length;

  const ids = await approvedPayments(3, 'attached');
  await waitForEvents(ids, 'failed');
  await waitFor('the three attached', async () => {
    const s = await down.query(incidentQuery);
    if (s.affected?.total !== 3) throw new Error(`${s.affected?.total} attached`);
  });
  const s = await down.query(incidentQuery);
  assert.equal(s.alertCount, 1, 'attachments are not firings of the probe’s rule');
  // The opening page of the down-incident was sent before; nothing since (no group incident either).
  await new Promise((r) => setTimeout(r, 2000));
  const after = await admin.mail(primary().email);
  assert.equal(after.length, before, `no new page: ${after.slice(before).map((m) => m.subject).join(' | ')}`);
  const group = await temporal.workflow.getHandle(`incident-${GROUP}`).describe();
  assert.equal(group.status.name, 'COMPLETED', 'the earlier group incident was not re-opened');

  await admin.clearFaults();
  await monitor(2);
  assert.equal((await down.result()).resolution, 'auto');
  await http('POST', `${stack.apiUrl}/api/v1/webhook-events/retry`, { headers: auth, body: { type: 'payment' } });
  await waitForEvents(ids, 'succeeded');
});
