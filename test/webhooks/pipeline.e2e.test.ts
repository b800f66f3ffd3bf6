/**
 * The webhook pipeline end to end on the real stack: Temporal dev server + FerretDB + provider
 * sandbox + the worker and API processes, driven over HTTP, with the real tctl and temporal CLIs
 * for manual retries.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { toolPath, waitFor } from '../../infra/processes';
import { signMercadoPagoWebhook, paymentNotification } from '../../sandbox/sign';
import type { IntegrationServers } from '../harness/servers';
import { e2eContext, http, startStack, type RunningStack } from '../harness/stack';
import { sandboxAdmin } from '../../sandbox/admin-client';

const run = promisify(execFile);
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let servers: IntegrationServers;
let stack: RunningStack;
let admin: ReturnType<typeof sandboxAdmin>;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'integration-test-api-key-0001';
const SECRET = 'integration-webhook-secret';
const auth = { authorization: `Bearer ${KEY}` };

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY, MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  ({ servers, stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const webhookUrl = () => `${stack.apiUrl}/webhooks/mercadopago`;
let notificationSeq = 9_000_000;

async function eventStatus(id: string) {
  return (await http('GET', `${stack.apiUrl}/api/v1/webhook-events/${id}`, { headers: auth })).body;
}
async function waitForEvent(id: string, status: string, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await eventStatus(id);
    if (last?.status === status) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`event ${id} never reached ${status}; last: ${JSON.stringify(last)}`);
}

/** A raw signed POST, for the bad-input cases the sandbox sender would not produce. */
async function postSigned(body: string, dataId: string, opts: { secret?: string; ts?: number; query?: string } = {}) {
  const headers = signMercadoPagoWebhook({ secret: opts.secret ?? SECRET, dataId, ts: opts.ts });
  return http('POST', `${webhookUrl()}?${opts.query ?? `data.id=${dataId}&type=payment`}`, { rawBody: body, headers });
}

test('one notification delivered 5 times → one workflow, one payment write, one CRM tag', async () => {
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 2500, payer: { email: 'five@example.com' } });
  const notificationId = ++notificationSeq;
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, notificationId }));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
  assert.deepEqual(answers.map((a) => a.body.duplicate), [false, true, true, true, true]);

  const ev = await waitForEvent(`mp-${notificationId}`, 'succeeded');
  assert.equal(ev.paymentStatus, 'approved');
  assert.match(ev.execution.url, new RegExp(`/namespaces/${stack.namespace}/workflows/webhook-mp-\\d+/`));
  // Redeliveries after completion are still refused as duplicates.
  assert.equal((await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, notificationId })).body.duplicate, true);

  assert.equal((await admin.calls({ provider: 'mercadopago', path: `/v1/payments/${p.id}` })).count, 1);
  const contacts = await admin.contacts();
  const contact = contacts.find((c) => c.email === 'five@example.com')!;
  assert.deepEqual(contact.tags, ['pago-aprobado']);
  assert.equal((await admin.calls({ provider: 'gohighlevel', path: `/contacts/${contact.id}/tags` })).count, 1);
  const stored = await db.collection('payments').find({ paymentId: String(p.id) }).toArray();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].status, 'approved');
  assert.equal(stored[0].amountMinor, 250000);
});

test('payment.created processed after payment.updated: the final state is the latest, and the CRM is tagged once', async () => {
  const p = await admin.createPayment({ status: 'pending', payer: { email: 'order@example.com' } });
  await admin.setPaymentStatus(p.id, 'approved');
  const updated = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, action: 'payment.updated' });
  await waitForEvent(`mp-${updated.notificationId}`, 'succeeded');
  const created = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, action: 'payment.created' });
  const late = await waitForEvent(`mp-${created.notificationId}`, 'succeeded');
  assert.equal(late.paymentStatus, 'approved');
  const stored = await db.collection('payments').findOne({ paymentId: String(p.id) });
  assert.equal(stored?.status, 'approved');
  const contact = (await admin.contacts()).find((c) => c.email === 'order@example.com')!;
  assert.equal((await admin.calls({ provider: 'gohighlevel', path: `/contacts/${contact.id}/tags` })).count, 1, 'second notification must not tag again');
});

test('GoHighLevel down past the retry window → failed; the real tctl sends retry → succeeded, no duplicate effect', async () => {
  const p = await admin.createPayment({ status: 'approved', payer: { email: 'crm-down@example.com' } });
  // 503 with Retry-After: 1 on every contact upsert: Temporal honours it, so the four attempts
  // happen within seconds instead of 1 + 5 + 15 minutes.
  await admin.fault({ provider: 'gohighlevel', path: '/contacts/upsert', kind: 'error', status: 503, retryAfterSeconds: 1, count: -1 });
  const sent = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id });
  const id = `mp-${sent.notificationId}`;
  const failed = await waitForEvent(id, 'failed');
  assert.equal(failed.failedStep, 'upsertCrmContact');
  assert.match(failed.lastError, /503/);
  const upsertAttempts = failed.attemptLog.filter((a: any) => a.step === 'upsertCrmContact');
  assert.deepEqual(upsertAttempts.map((a: any) => a.attempt), [1, 2, 3, 4]);
  assert.equal(failed.live.phase, 'failed');
  const alert = await db.collection('alerts').findOne({ dedupKey: `webhook-failed:${id}` });
  assert.equal(alert?.status, 'open');

  // Visible to ops in the Web UI by status and payment id.
  const listed = [];
  for await (const wf of temporal.workflow.list({ query: `WebhookStatus = "failed" AND PaymentId = "${p.id}"` })) listed.push(wf.workflowId);
  assert.deepEqual(listed, [failed.workflowId]);

  await admin.clearFaults();
  const tctl = await run(toolPath('tctl'), ['--address', servers.temporalAddress, '--namespace', stack.namespace, 'workflow', 'signal', '--workflow_id', failed.workflowId, '--name', 'retry'], { timeout: 30000 });
  assert.match(tctl.stdout + tctl.stderr, /succeeded/i);
  const done = await waitForEvent(id, 'succeeded');
  assert.equal(done.manualRetries, 1);
  await waitFor(`alert of ${id} resolved on recovery`, async () => {
    const alert = await db.collection('alerts').findOne({ dedupKey: `webhook-failed:${id}` });
    if (alert?.status !== 'resolved') throw new Error(`alert is ${alert?.status}`);
  });

  assert.equal((await admin.calls({ provider: 'mercadopago', path: `/v1/payments/${p.id}` })).count, 1, 'the payment is not fetched again');
  const contact = (await admin.contacts()).find((c) => c.email === 'crm-down@example.com')!;
  assert.deepEqual(contact.tags, ['pago-aprobado']);
  assert.equal((await admin.calls({ provider: 'gohighlevel', path: `/contacts/${contact.id}/tags` })).count, 1);
});

test('manual retry also works from the temporal CLI and from the API, single and bulk', async () => {
  const ids: string[] = [];
  await admin.fault({ provider: 'mercadopago', path: '/v1/payments/', kind: 'error', status: 400, count: 3 });
  for (let i = 0; i < 3; i++) {
    const p = await admin.createPayment({ status: 'pending' });
    ids.push(`mp-${(await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id })).notificationId}`);
  }
  const failed = await Promise.all(ids.map((id) => waitForEvent(id, 'failed')));
  assert.ok(failed.every((f) => f.failedStep === 'fetchPayment'));

  await run(toolPath('temporal'), ['workflow', 'signal', '--address', servers.temporalAddress, '--namespace', stack.namespace, '--workflow-id', failed[0].workflowId, '--name', 'retry'], { timeout: 30000 });
  await waitForEvent(ids[0], 'succeeded');

  const single = await http('POST', `${stack.apiUrl}/api/v1/webhook-events/${ids[1]}/retry`, { headers: auth });
  assert.equal(single.status, 202);
  await waitForEvent(ids[1], 'succeeded');
  const again = await http('POST', `${stack.apiUrl}/api/v1/webhook-events/${ids[1]}/retry`, { headers: auth });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.status, 'succeeded');

  const bulk = await http('POST', `${stack.apiUrl}/api/v1/webhook-events/retry`, { headers: auth, body: { type: 'payment' } });
  assert.equal(bulk.status, 202);
  assert.ok(bulk.body.retried.includes(ids[2]));
  await waitForEvent(ids[2], 'succeeded');
});

test('bad signature → 401 with a reason, no workflow, a security event stored', async () => {
  const p = await admin.createPayment({ status: 'approved' });
  const forged = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, secret: 'not-the-secret' });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.error.reason, 'SignatureMismatch');
  await assert.rejects(temporal.workflow.getHandle(`webhook-mp-${forged.notificationId}`).describe(), WorkflowNotFoundError);

  const stale = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id, ts: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(stale.status, 401);
  assert.equal(stale.body.error.reason, 'TimestampOutOfTolerance');

  const unsigned = await http('POST', `${webhookUrl()}?data.id=${p.id}&type=payment`, { body: paymentNotification({ notificationId: 1, paymentId: String(p.id) }) });
  assert.equal(unsigned.status, 401);
  assert.equal(unsigned.body.error.reason, 'MissingSignatureHeader');
  const ipn = await http('POST', `${webhookUrl()}?topic=payment&id=${p.id}`, { body: { resource: String(p.id), topic: 'payment' } });
  assert.equal(ipn.status, 401, 'unsigned IPN is refused unless enabled');

  const events = await db.collection('security_events').find({ type: 'INVALID_WEBHOOK_SIGNATURE' }).toArray();
  const reasons = events.map((e) => e.reason);
  for (const r of ['SignatureMismatch', 'TimestampOutOfTolerance', 'MissingSignatureHeader']) assert.ok(reasons.includes(r), `no security event for ${r}`);
  assert.ok(events.every((e) => e.sourceIp && e.at && e.hour));
});

test('bad input: malformed JSON 400, wrong shape 400 naming the field, mismatched data.id 400, over 64 KiB 413', async () => {
  const malformed = await postSigned('{"id": 1, "type": ', '77');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'malformed_json');

  const noData = await postSigned(JSON.stringify({ id: 1, type: 'payment' }), '77');
  assert.equal(noData.status, 400);
  assert.equal(noData.body.error.issues[0].field, 'data');

  const badType = await postSigned(JSON.stringify({ id: 1, type: 42, data: { id: '77' } }), '77');
  assert.equal(badType.status, 400);
  assert.equal(badType.body.error.issues[0].field, 'type');

  const mismatch = await postSigned(JSON.stringify(paymentNotification({ notificationId: 5, paymentId: '78' })), '77');
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.error.field, 'data.id');

  const huge = await postSigned(JSON.stringify({ ...paymentNotification({ notificationId: 6, paymentId: '77' }), pad: 'x'.repeat(70 * 1024) }), '77');
  assert.equal(huge.status, 413);
});

test('a valid notification of a type we do not process → 200, recorded as ignored', async () => {
  const body = { id: ++notificationSeq, type: 'subscription_preapproval', action: 'updated', data: { id: 'abc123' } };
  const res = await postSigned(JSON.stringify(body), 'abc123', { query: 'data.id=abc123&type=subscription_preapproval' });
  assert.equal(res.status, 200);
  assert.equal(res.body.ignored, true);
  const ev = await eventStatus(`mp-${body.id}`);
  assert.equal(ev.status, 'ignored');
  assert.equal(ev.type, 'subscription_preapproval');
});

test('read API: API key required; filters and cursors validated; pages walk the log', async () => {
  assert.equal((await http('GET', `${stack.apiUrl}/api/v1/webhook-events`)).status, 401);
  assert.equal((await http('GET', `${stack.apiUrl}/api/v1/payments`, { headers: { authorization: 'Bearer wrong-key-wrong-key' } })).status, 401);
  for (const q of ['status=nope', 'limit=0', 'limit=abc', 'cursor=xyz', 'since=yesterday']) {
    const r = await http('GET', `${stack.apiUrl}/api/v1/webhook-events?${q}`, { headers: auth });
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.in, 'query');
  }
  assert.equal((await http('GET', `${stack.apiUrl}/api/v1/payments?status=paid`, { headers: auth })).status, 400);
  assert.equal((await http('GET', `${stack.apiUrl}/api/v1/webhook-events/mp-does-not-exist`, { headers: auth })).status, 404);

  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const r: any = await http('GET', `${stack.apiUrl}/api/v1/webhook-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
    assert.equal(r.status, 200);
    for (const item of r.body.items) {
      assert.ok(!seen.has(item.id), 'a page repeated an item');
      seen.add(item.id);
    }
    cursor = r.body.nextCursor;
  } while (cursor);
  const total = await db.collection('webhook_events').countDocuments();
  assert.equal(seen.size, total);

  const approved = await http('GET', `${stack.apiUrl}/api/v1/payments?status=approved&limit=100`, { headers: auth });
  assert.ok(approved.body.items.length >= 3);
  assert.ok(approved.body.items.every((p: any) => p.status === 'approved'));
});

test('legacy IPN, when enabled, is only a hint: the payment is fetched and processed from MercadoPago', async () => {
  // A second API process on the same database and Temporal, with IPN enabled; the stack's worker processes it.
  const { API_PORT: _port, SANDBOX_PORT: _sandbox, ...shared } = stack.env;
  const ipnApi = await startStack(servers, { parts: ['api'], env: { ...shared, MERCADOPAGO_ACCEPT_IPN: 'true' } });
  try {
    const p = await admin.createPayment({ status: 'approved', payer: { email: 'ipn@example.com' } });
    const hint = await http('POST', `${ipnApi.apiUrl}/webhooks/mercadopago?topic=payment&id=${p.id}`, { body: { resource: String(p.id), topic: 'payment' } });
    assert.equal(hint.status, 200);
    assert.equal(hint.body.eventId, `mp-ipn-payment-${p.id}`);
    const ev = await waitForEvent(`mp-ipn-payment-${p.id}`, 'succeeded');
    assert.equal(ev.paymentStatus, 'approved');
    const merchantOrder = await http('POST', `${ipnApi.apiUrl}/webhooks/mercadopago?topic=merchant_order&id=123`, { body: { resource: 'https://api.mercadopago.com/merchant_orders/123', topic: 'merchant_order' } });
    assert.equal(merchantOrder.status, 200);
    assert.equal(merchantOrder.body.ignored, true);
  } finally {
    await ipnApi.stop();
  }
});
