/**
 * The order saga end to end on the real stack (Temporal dev server + FerretDB + provider sandbox +
 * worker + API), driven over HTTP as customers and admins would, with MercadoPago's webhooks
 * delivered by the sandbox to the preference's notification_url, mail received by a real SMTP
 * server started here, and manual retry sent with the real tctl.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { freePort, toolPath, waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { startSmtpSink, type SmtpSink } from '../../sandbox/smtp-sink';
import type { IntegrationServers } from '../harness/servers';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const run = promisify(execFile);
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let servers: IntegrationServers;
let stack: RunningStack;
let smtp: SmtpSink;
let admin: ReturnType<typeof sandboxAdmin>;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'orders-e2e-api-key-000001';
const asAdmin = { authorization: `Bearer ${KEY}` };

before(async () => {
  smtp = await startSmtpSink({ port: await freePort() });
  ctx = await e2eContext({ env: { API_KEYS: KEY, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  ({ servers, stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
  await smtp?.close();
});

// A test that fails half-way must not leave its injected faults to the next one.
afterEach(async () => {
  await admin?.clearFaults();
});

const api = (path: string) => `${stack.apiUrl}${path}`;
let userSeq = 0;

async function customer(name = 'Ana García') {
  const email = `cliente${++userSeq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password: 'contraseña-segura-1', name } });
  assert.equal(res.status, 201, res.text);
  return { email, token: res.body.access_token as string, headers: { authorization: `Bearer ${res.body.access_token}` } };
}

async function product(sku: string, price: string, stock: number) {
  const res = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku, name: `Producto ${sku}`, price, currency: 'ARS', stock } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };

function order(headers: Record<string, string>, items: { sku: string; quantity: number; price?: number }[], extra: Record<string, unknown> = {}) {
  return http('POST', api('/api/v1/orders'), { headers, body: { items, shipping_address: address, ...extra } });
}

async function waitForOrder(number: string, headers: Record<string, string>, until: (o: any) => boolean, what: string, timeoutMs = 60000) {
  let last: any;
  await waitFor(
    `order ${number} ${what}`,
    async () => {
      last = (await http('GET', api(`/api/v1/orders/${number}`), { headers })).body;
      if (!until(last)) throw new Error(`status ${last?.status}, failed ${JSON.stringify(last?.failed_steps)}`);
    },
    { timeoutMs },
  );
  return last;
}
const waitForStatus = (number: string, headers: Record<string, string>, status: string) => waitForOrder(number, headers, (o) => o?.status === status && (o.pending_effects ?? []).length === 0, `is ${status}`);

const stockOf = async (sku: string) => (await http('GET', api(`/api/v1/products/${sku}`))).body.stock;

test('sign-up, sign-in, refresh rotation and logout', async () => {
  const email = `auth.${Date.now()}@example.com`;
  const reg = await http('POST', api('/auth/register'), { body: { email, password: 'una-clave-larga', name: 'Luis' } });
  assert.equal(reg.status, 201);
  assert.equal(reg.body.user.role, 'customer');
  assert.equal((await http('POST', api('/auth/register'), { body: { email: email.toUpperCase(), password: 'otra-clave-larga', name: 'Luis' } })).status, 409);
  assert.equal((await http('POST', api('/auth/register'), { body: { email, password: 'short', name: 'Luis' } })).body.error.issues[0].field, 'password');
  assert.equal((await http('POST', api('/auth/login'), { body: { email, password: 'wrong-password' } })).status, 401);
  assert.equal((await http('POST', api('/auth/login'), { body: { email: 'nobody@example.com', password: 'wrong-password' } })).status, 401);
  const login = await http('POST', api('/auth/login'), { body: { email, password: 'una-clave-larga' } });
  assert.equal(login.status, 200);
  const me = await http('GET', api('/auth/me'), { headers: { authorization: `Bearer ${login.body.access_token}` } });
  assert.equal(me.body.user.email, email);

  const refreshed = await http('POST', api('/auth/refresh'), { body: { refresh_token: login.body.refresh_token } });
  assert.equal(refreshed.status, 200);
  const reused = await http('POST', api('/auth/refresh'), { body: { refresh_token: login.body.refresh_token } });
  assert.equal(reused.status, 401, 'a refresh token is single-use');

  const headers = { authorization: `Bearer ${refreshed.body.access_token}` };
  assert.equal((await http('POST', api('/auth/logout'), { headers, body: { refresh_token: refreshed.body.refresh_token } })).status, 204);
  assert.equal((await http('GET', api('/auth/me'), { headers })).status, 401, 'the access token is revoked');
  assert.equal((await http('POST', api('/auth/refresh'), { body: { refresh_token: refreshed.body.refresh_token } })).status, 401);
  assert.equal((await http('GET', api('/auth/me'), { headers: { authorization: 'Bearer a.b.c' } })).status, 401);
});

test('catalog: admins manage products and stock, customers browse, bad input is named', async () => {
  const c = await customer();
  assert.equal((await http('POST', api('/api/v1/products'), { body: { sku: 'X', name: 'x', price: '1', currency: 'ARS' } })).status, 401);
  assert.equal((await http('POST', api('/api/v1/products'), { headers: c.headers, body: { sku: 'X', name: 'x', price: '1', currency: 'ARS' } })).status, 403);
  const created = await product('CAT-1', '599.99', 4);
  assert.deepEqual([created.price, created.price_minor, created.stock.available], ['599.99', 59999, 4]);
  const dup = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku: 'CAT-1', name: 'x', price: '1', currency: 'ARS' } });
  assert.equal(dup.status, 409);
  const cents = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku: 'CAT-2', name: 'x', price: '1.005', currency: 'ARS' } });
  assert.equal(cents.status, 422);
  assert.equal(cents.body.error.field, 'price');
  const patched = await http('PATCH', api('/api/v1/products/CAT-1'), { headers: asAdmin, body: { price: 650 } });
  assert.equal(patched.body.price, '650.00');
  const moved = await http('POST', api('/api/v1/products/CAT-1/stock'), { headers: asAdmin, body: { delta: 6, reason: 'received' } });
  assert.deepEqual([moved.status, moved.body.available], [200, 10]);
  const tooMuch = await http('POST', api('/api/v1/products/CAT-1/stock'), { headers: asAdmin, body: { delta: -11, reason: 'write-off' } });
  assert.equal(tooMuch.status, 409);
  const browse = await http('GET', api('/api/v1/products?search=CAT-1'));
  assert.ok(browse.body.data.some((p: any) => p.sku === 'CAT-1' && p.stock.available === 10));
});

test('happy path: server-side prices, payment link, approved payment → confirmed, stock sold, CRM won, email received', async () => {
  const c = await customer('María López');
  await product('HAPPY-MATE', '1250.00', 5);
  await product('HAPPY-YERBA', '899.99', 5);
  const res = await order(c.headers, [
    { sku: 'HAPPY-MATE', quantity: 2, price: 1 },
    { sku: 'HAPPY-YERBA', quantity: 1, price: 1 },
  ]);
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.status, 'awaiting_payment');
  assert.equal(res.body.total, '3399.99', 'client prices are ignored');
  assert.match(res.body.payment.init_point, /^https:\/\/www\.mercadopago\.com\/checkout\/v1\/redirect\?pref_id=/);
  const number = res.body.order_number as string;
  assert.match(number, /^PF-[0-9A-Z]{12}$/);
  assert.deepEqual(await stockOf('HAPPY-MATE'), { available: 3, reserved: 2 });

  const paid = await admin.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  assert.equal(paid.webhook?.status, 200, 'MercadoPago notified the preference notification_url');
  const done = await waitForStatus(number, c.headers, 'confirmed');
  assert.equal(done.payment.status, 'paid');
  assert.equal(done.payment.payment_id, String(paid.payment.id));
  assert.deepEqual(await stockOf('HAPPY-MATE'), { available: 3, reserved: 0 });
  assert.ok(done.timeline.some((t: any) => t.event === 'payment_approved'));
  assert.equal(done.source, 'workflow');

  const opp = (await admin.opportunities()).find((o) => o.name === `Pedido ${number}`);
  assert.deepEqual([opp?.status, opp?.monetaryValue], ['won', 3399.99]);
  const contact = (await admin.contacts()).find((x) => x.email === c.email);
  assert.ok(contact?.tags.includes('pedido-pagado'));

  const mail = await smtp.waitFor((m) => m.to.includes(c.email) && m.subject.includes(number));
  assert.equal(mail.subject, `Pedido ${number} confirmado`);
  assert.match(mail.text, /Total: ARS 3399\.99/);
  assert.match(mail.html, /<table/);
  assert.match(mail.html, /María López/);

  // Ops find it in the Web UI by business key.
  const listed = [];
  for await (const wf of temporal.workflow.list({ query: `OrderNumber = "${number}" AND OrderStatus = "confirmed" AND CustomerEmail = "${c.email}"` })) listed.push(wf.workflowId);
  assert.deepEqual(listed, [`order-${number}`]);

  // Someone else's order does not exist for them; lists are per customer, admins see all.
  const other = await customer();
  assert.equal((await http('GET', api(`/api/v1/orders/${number}`), { headers: other.headers })).status, 404);
  assert.equal((await http('GET', api('/api/v1/orders'), { headers: other.headers })).body.items.length, 0);
  const mine = await http('GET', api('/api/v1/orders'), { headers: c.headers });
  assert.deepEqual(mine.body.items.map((o: any) => o.order_number), [number]);
  const byEmail = await http('GET', api(`/api/v1/orders?email=${encodeURIComponent(c.email)}&status=confirmed`), { headers: asAdmin });
  assert.deepEqual(byEmail.body.items.map((o: any) => o.order_number), [number]);
});

test('bad orders: unknown sku 422, absurd quantity 422, missing address 400, not enough stock 409 listing items', async () => {
  const c = await customer();
  await product('BAD-1', '10.00', 3);
  const unknown = await order(c.headers, [{ sku: 'BAD-1', quantity: 1 }, { sku: 'NOPE-404', quantity: 1 }]);
  assert.deepEqual([unknown.status, unknown.body.error.field, unknown.body.error.sku], [422, 'items.1.sku', 'NOPE-404']);
  for (const quantity of [0, -1, 1_000_000]) {
    const bad = await order(c.headers, [{ sku: 'BAD-1', quantity }]);
    assert.deepEqual([bad.status, bad.body.error.field], [422, 'items.0.quantity'], `quantity ${quantity}`);
  }
  const noAddress = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: [{ sku: 'BAD-1', quantity: 1 }] } });
  assert.deepEqual([noAddress.status, noAddress.body.error.field], [400, 'shipping_address']);
  const short = await order(c.headers, [{ sku: 'BAD-1', quantity: 4 }]);
  assert.equal(short.status, 409);
  assert.deepEqual(short.body.error.items, [{ sku: 'BAD-1', requested: 4, available: 3 }]);
  assert.deepEqual(await stockOf('BAD-1'), { available: 3, reserved: 0 });
  assert.equal((await order({}, [{ sku: 'BAD-1', quantity: 1 }])).status, 401);
  assert.equal((await order(asAdmin, [{ sku: 'BAD-1', quantity: 1 }])).status, 403, 'an API key is not a customer');
});

test('rejected payment → cancelled and stock released; a retried POST with the same Idempotency-Key is the same order', async () => {
  const c = await customer();
  await product('REJ-1', '100.00', 2);
  const headers = { ...c.headers, 'idempotency-key': `checkout-${Date.now()}` };
  const first = await order(headers, [{ sku: 'REJ-1', quantity: 2 }]);
  const again = await order(headers, [{ sku: 'REJ-1', quantity: 2 }]);
  assert.equal(first.status, 202);
  assert.equal(again.body.order_number, first.body.order_number);
  assert.deepEqual(await stockOf('REJ-1'), { available: 0, reserved: 2 }, 'reserved once');
  await admin.payPreference(first.body.payment.preference_id, { status: 'rejected' });
  const done = await waitForStatus(first.body.order_number, c.headers, 'cancelled');
  assert.equal(done.cancellation.reason, 'payment_rejected');
  assert.deepEqual(await stockOf('REJ-1'), { available: 2, reserved: 0 });
  await smtp.waitFor((m) => m.subject === `Pedido ${first.body.order_number} cancelado`);
});

test('duplicate and out-of-order webhooks confirm once; a second payment for a paid order is refunded', async () => {
  const c = await customer();
  await product('DUP-1', '250.00', 5);
  const res = await order(c.headers, [{ sku: 'DUP-1', quantity: 1 }]);
  const number = res.body.order_number;
  const paid = await admin.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  const url = api('/webhooks/mercadopago');
  // Redelivery of the same notification, a newer notification, and an older one arriving last.
  await admin.sendWebhook({ url, paymentId: paid.payment.id, notificationId: paid.webhook!.notificationId });
  await admin.sendWebhook({ url, paymentId: paid.payment.id, action: 'payment.updated' });
  await admin.sendWebhook({ url, paymentId: paid.payment.id, action: 'payment.created' });
  await waitForStatus(number, c.headers, 'confirmed');

  const second = await admin.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  const done = await waitForOrder(number, c.headers, (o) => o.payment.refunds.some((r: any) => r.status === 'refunded'), 'refunds the second payment');
  assert.deepEqual(
    done.payment.refunds.map((r: any) => [r.payment_id, r.reason]),
    [[String(second.payment.id), 'duplicate_payment']],
  );
  assert.equal(done.status, 'confirmed');
  assert.equal(done.payment.payment_id, String(paid.payment.id));
  assert.equal((await admin.calls({ provider: 'mercadopago', path: `/v1/payments/${second.payment.id}/refunds` })).count, 1);
  assert.equal((await admin.calls({ provider: 'mercadopago', path: `/v1/payments/${paid.payment.id}/refunds` })).count, 0);
  await smtp.waitFor((m) => m.subject === `Pedido ${number} confirmado`);
  assert.equal(smtp.messages.filter((m) => m.subject === `Pedido ${number} confirmado`).length, 1, 'one confirmation');
  assert.equal((await admin.opportunities()).filter((o) => o.name === `Pedido ${number}`).length, 1);
});

test('a payment notified before the preference step finished confirms the order once it exists', async () => {
  const c = await customer();
  await product('EARLY-1', '75.50', 3);
  await admin.fault({ provider: 'mercadopago', path: '/checkout/preferences', kind: 'delay', delayMs: 4000, count: 1 });
  const pending = order(c.headers, [{ sku: 'EARLY-1', quantity: 2 }]);
  let number = '';
  await waitFor('the order to be recorded', async () => {
    const list = await http('GET', api('/api/v1/orders'), { headers: c.headers });
    number = list.body.items[0]?.order_number;
    if (!number) throw new Error('not yet');
  });
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 151, currency_id: 'ARS', external_reference: number, payer: { email: c.email } });
  const sent = await admin.sendWebhook({ url: api('/webhooks/mercadopago'), paymentId: p.id });
  assert.equal(sent.status, 200);
  const res = await pending;
  assert.equal(res.status, 202);
  assert.equal((await http('GET', api(`/api/v1/orders/${number}`), { headers: c.headers })).body.payment.preference_id !== undefined, true);
  const done = await waitForStatus(number, c.headers, 'confirmed');
  assert.equal(done.payment.payment_id, String(p.id));
});

test('GoHighLevel failing after payment: order stays confirmed, CRM step retried, then waits; the real tctl retries it', async () => {
  const c = await customer();
  await product('CRM-1', '300.00', 2);
  // First a 429 with Retry-After (retried by Temporal), then a permanent 401 (fails the step).
  await admin.fault({ provider: 'gohighlevel', path: '/opportunities/upsert', kind: 'rate-limit', retryAfterSeconds: 1, count: 1 });
  await admin.fault({ provider: 'gohighlevel', path: '/opportunities/upsert', kind: 'error', status: 401, count: -1 });
  const res = await order(c.headers, [{ sku: 'CRM-1', quantity: 1 }]);
  const number = res.body.order_number;
  await admin.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  const stuck = await waitForOrder(number, c.headers, (o) => o.failed_steps?.length > 0, 'reports the failed CRM step');
  assert.equal(stuck.status, 'confirmed', 'the order does not depend on the CRM');
  assert.equal(stuck.failed_steps[0].step, 'syncOrderOpportunity:won');
  assert.equal((await admin.calls({ provider: 'gohighlevel', path: '/opportunities/upsert' })).calls.filter((x) => x.status === 429).length, 1, 'retried after the 429');
  await waitFor('an open alert for ops', async () => {
    if ((await db.collection('alerts').findOne({ _id: `order-step-failed:${number}` as never }))?.status !== 'open') throw new Error('no open alert');
  });
  await smtp.waitFor((m) => m.subject === `Pedido ${number} confirmado`);

  await admin.clearFaults();
  const tctl = await run(toolPath('tctl'), ['--address', servers.temporalAddress, '--namespace', stack.namespace, 'workflow', 'signal', '--workflow_id', `order-${number}`, '--name', 'retry'], { timeout: 30000 });
  assert.match(tctl.stdout + tctl.stderr, /succeeded/i);
  const healed = await waitForOrder(number, c.headers, (o) => !o.failed_steps && o.pending_effects.length === 0, 'completes its CRM steps');
  assert.equal(healed.status, 'confirmed');
  assert.equal((await admin.opportunities()).find((o) => o.name === `Pedido ${number}`)?.status, 'won');
  await waitFor('alert resolved', async () => {
    if ((await db.collection('alerts').findOne({ _id: `order-step-failed:${number}` as never }))?.status !== 'resolved') throw new Error('open');
  });
});

test('fulfillment: processing → shipped (tracking) → delivered; invalid moves 409/422; customer cancel after payment refunds', async () => {
  const c = await customer();
  await product('SHIP-1', '120.00', 4);
  const a = await order(c.headers, [{ sku: 'SHIP-1', quantity: 1 }]);
  await admin.payPreference(a.body.payment.preference_id, { payer_email: c.email });
  await waitForStatus(a.body.order_number, c.headers, 'confirmed');
  const patch = (number: string, body: unknown, headers = asAdmin) => http('PATCH', api(`/api/v1/orders/${number}/status`), { headers, body });

  assert.equal((await patch(a.body.order_number, { status: 'processing' }, c.headers)).status, 403);
  const skip = await patch(a.body.order_number, { status: 'delivered' });
  assert.deepEqual([skip.status, skip.body.error.current, skip.body.error.code], [409, 'confirmed', 'invalid_transition']);
  assert.equal((await patch(a.body.order_number, { status: 'processing' })).body.status, 'processing');
  const noTracking = await patch(a.body.order_number, { status: 'shipped' });
  assert.deepEqual([noTracking.status, noTracking.body.error.field], [422, 'tracking_number']);
  const shipped = await patch(a.body.order_number, { status: 'shipped', tracking_number: 'AR123456789' });
  assert.equal(shipped.body.tracking_number, 'AR123456789');
  const lateCancel = await http('POST', api(`/api/v1/orders/${a.body.order_number}/cancel`), { headers: c.headers, body: {} });
  assert.deepEqual([lateCancel.status, lateCancel.body.error.current], [409, 'shipped']);
  await smtp.waitFor((m) => m.subject === `Tu pedido ${a.body.order_number} está en camino` && m.text.includes('AR123456789'));
  assert.equal((await patch(a.body.order_number, { status: 'delivered' })).body.status, 'delivered');
  await waitFor('the delivered order to close', async () => {
    const d = await temporal.workflow.getHandle(`order-${a.body.order_number}`).describe();
    if (d.status.name !== 'COMPLETED') throw new Error(d.status.name);
  });
  const closed = await patch(a.body.order_number, { status: 'processing' });
  assert.equal(closed.status, 409);

  const b = await order(c.headers, [{ sku: 'SHIP-1', quantity: 2 }]);
  const paid = await admin.payPreference(b.body.payment.preference_id, { payer_email: c.email });
  await waitForStatus(b.body.order_number, c.headers, 'confirmed');
  assert.deepEqual(await stockOf('SHIP-1'), { available: 1, reserved: 0 });
  const cancelled = await http('POST', api(`/api/v1/orders/${b.body.order_number}/cancel`), { headers: c.headers, body: { reason: 'ya no lo necesito' } });
  assert.equal(cancelled.status, 200);
  const done = await waitForOrder(b.body.order_number, c.headers, (o) => o.status === 'cancelled' && o.pending_effects.length === 0, 'refunds and restocks');
  assert.equal(done.payment.status, 'refunded');
  assert.deepEqual(await stockOf('SHIP-1'), { available: 3, reserved: 0 });
  const payment = await fetch(`${stack.sandboxUrl}/mercadopago/v1/payments/${paid.payment.id}`, { headers: { authorization: 'Bearer TEST-sandbox-access-token' } }).then((r) => r.json() as Promise<{ status: string }>);
  assert.equal(payment.status, 'refunded');
  const mail = await smtp.waitFor((m) => m.subject === `Pedido ${b.body.order_number} cancelado`);
  assert.match(mail.text, /reembolsamos ARS 240\.00/);
  assert.equal((await admin.opportunities()).find((o) => o.name === `Pedido ${b.body.order_number}`)?.status, 'lost');
});

test('50 concurrent orders for the last 10 units: exactly 10 confirmed, 40 refused, stock never negative', async () => {
  await product('LAST-UNITS', '999.00', 10);
  const buyers = await Promise.all(Array.from({ length: 5 }, () => customer()));
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => order(buyers[i % 5].headers, [{ sku: 'LAST-UNITS', quantity: 1 }])));
  const accepted = answers.filter((a) => a.status === 202);
  const refused = answers.filter((a) => a.status === 409);
  assert.equal(accepted.length, 10, `statuses: ${answers.map((a) => a.status).join(',')}`);
  assert.equal(refused.length, 40);
  assert.ok(refused.every((r) => r.body.error.items[0].sku === 'LAST-UNITS'));
  assert.deepEqual(await stockOf('LAST-UNITS'), { available: 0, reserved: 10 });

  await Promise.all(accepted.map((a, i) => admin.payPreference(a.body.payment.preference_id, { payer_email: buyers[i % 5].email })));
  await waitFor(
    'all 10 orders confirmed',
    async () => {
      const n = await db.collection('orders').countDocuments({ 'items.sku': 'LAST-UNITS', status: 'confirmed' });
      if (n !== 10) throw new Error(`${n} confirmed`);
    },
    { timeoutMs: 120000 },
  );
  assert.equal(await db.collection('orders').countDocuments({ 'items.sku': 'LAST-UNITS', status: 'rejected' }), 40);
  assert.deepEqual(await stockOf('LAST-UNITS'), { available: 0, reserved: 0 });
  const chain = await db.collection('stock_movements').find({ sku: 'LAST-UNITS' }).toArray();
  assert.ok(chain.every((m) => m.available >= 0 && m.reserved >= 0), 'stock never negative at any version');
  assert.equal(chain.filter((m) => m.kind === 'reserve').length, 10);
});
