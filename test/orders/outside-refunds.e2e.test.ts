/**
 * Money that moves outside the order, end to end on the real stack (dev server + FerretDB +
 * sandbox + worker + API): refunds made in MercadoPago's panel (full, partial), chargebacks, a
 * second payment for a delivered order whose workflow has closed, and a payment naming an order
 * that does not exist. Notifications come from the sandbox, signed as MercadoPago signs them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { freePort, waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { startSmtpSink, type SmtpSink } from '../../sandbox/smtp-sink';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let smtp: SmtpSink;
let admin: ReturnType<typeof sandboxAdmin>;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'outside-refunds-e2e-key-01';
const asAdmin = { authorization: `Bearer ${KEY}` };

before(async () => {
  smtp = await startSmtpSink({ port: await freePort() });
  ctx = await e2eContext({ env: { API_KEYS: KEY, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
  await smtp?.close();
});

const api = (path: string) => `${stack.apiUrl}${path}`;
const webhookUrl = () => api('/webhooks/mercadopago');
let seq = 0;

async function customer() {
  const email = `reembolso${++seq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password: 'contraseña-segura-1', name: 'Ana García' } });
  assert.equal(res.status, 201, res.text);
  return { email, headers: { authorization: `Bearer ${res.body.access_token}` } };
}

async function product(sku: string, price: string, stock: number) {
  const res = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku, name: `Producto ${sku}`, price, currency: 'ARS', stock } });
  assert.equal(res.status, 201, res.text);
}
const stockOf = async (sku: string) => (await http('GET', api(`/api/v1/products/${sku}`))).body.stock;
const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };

async function getOrder(number: string) {
  return (await http('GET', api(`/api/v1/orders/${number}`), { headers: asAdmin })).body;
}
async function waitForOrder(number: string, until: (o: any) => boolean, what: string, timeoutMs = 60000) {
  let last: any;
  await waitFor(
    `order ${number} ${what}`,
    async () => {
      last = await getOrder(number);
      if (!until(last)) throw new Error(`status ${last?.status}, pending ${JSON.stringify(last?.pending_effects)}, failed ${JSON.stringify(last?.failed_steps)}`);
    },
    { timeoutMs },
  );
  return last;
}
const settled = (status: string) => (o: any) => o?.status === status && (o.pending_effects ?? []).length === 0;

/** A paid (confirmed) order: returns its number, preference and payment id. */
async function paidOrder(sku: string, quantity: number, extra: Record<string, unknown> = {}) {
  const c = await customer();
  const res = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: [{ sku, quantity }], shipping_address: address, ...extra } });
  assert.equal(res.status, 202, res.text);
  const number = res.body.order_number as string;
  const paid = await admin.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  assert.equal(paid.webhook?.status, 200);
  await waitForOrder(number, settled('confirmed'), 'is confirmed');
  return { number, email: c.email, preferenceId: res.body.payment.preference_id as string, paymentId: String(paid.payment.id) };
}

const mailsTo = (email: string, subject: string) => smtp.messages.filter((m) => m.to.includes(email) && m.subject === subject);
const ourRefundCalls = async (paymentId: string) => (await admin.calls({ provider: 'mercadopago', path: `/v1/payments/${paymentId}/refunds`, method: 'POST' })).count;

async function commissionOf(number: string) {
  const doc = await db.collection('affiliate_attributions').findOne({ _id: number as never });
  if (!doc?.conversionId) return undefined;
  return (await http('GET', api(`/api/v1/commissions/com_${String(doc.conversionId).replace(/^conv_/, '')}`), { headers: asAdmin })).body;
}

test('dashboard refund of a paid order → refunded, restocked, commission voided, one email; the notification delivered three times acts once', async () => {
  const code = `AF-REF-${Date.now()}`;
  const af = await http('POST', api('/api/v1/affiliates'), {
    headers: asAdmin,
    body: { name: 'Afiliada', email: `af${Date.now()}@example.com`, tier: 'base', currency: 'ARS', code, commission: { base_percent: 10, premium_percent: 12, minimum_payout: '100.00' } },
  });
  assert.equal(af.status, 201, af.text);
  const camp = await http('POST', api('/api/v1/campaigns'), {
    headers: asAdmin,
    body: { name: `Campaña ${Date.now()}`, starts_at: new Date(Date.now() - 86_400_000).toISOString(), ends_at: new Date(Date.now() + 86_400_000 * 30).toISOString(), budget: '100000.00', currency: 'ARS', channels: ['web'], commission: { sale_percent: 10 }, status: 'active' },
  });
  assert.equal(camp.status, 201, camp.text);
  await product('OUT-FULL', '500.00', 5);
  const o = await paidOrder('OUT-FULL', 2, { affiliate_code: code });
  assert.deepEqual(await stockOf('OUT-FULL'), { available: 3, reserved: 0 });
  await waitFor('the commission in its hold', async () => {
    const c = await commissionOf(o.number);
    if (c?.status !== 'held') throw new Error(`commission ${c?.status}`);
  });

  const refunded = await admin.refundFromDashboard(o.paymentId);
  assert.equal(refunded.payment.status, 'refunded');
  const first = refunded.notifications.find((n) => n.topic === 'payment');
  assert.equal(first?.status, 200, 'MercadoPago notified the refund');
  // The same notification twice more, and another notification of the same refund.
  await admin.sendWebhook({ url: webhookUrl(), paymentId: o.paymentId, notificationId: first!.id });
  await admin.sendWebhook({ url: webhookUrl(), paymentId: o.paymentId, notificationId: first!.id });
  await admin.sendWebhook({ url: webhookUrl(), paymentId: o.paymentId, action: 'payment.updated' });

  const done = await waitForOrder(o.number, settled('refunded'), 'is refunded');
  assert.equal(done.payment.status, 'refunded');
  assert.deepEqual([done.payment.reversal.kind, done.payment.reversal.refunded, done.payment.reversal.stage, done.payment.reversal.restocked], ['refunded', '1000.00', 'confirmed', true]);
  assert.deepEqual(done.payment.refunds, [], 'not one of our refunds');
  assert.deepEqual(await stockOf('OUT-FULL'), { available: 5, reserved: 0 }, 'restocked once (refunded before shipment)');
  await waitFor('the commission voided', async () => {
    const c = await commissionOf(o.number);
    if (c?.status !== 'voided') throw new Error(`commission ${c?.status}`);
  });
  const subject = `Reembolso de tu pedido ${o.number}`;
  const mail = await smtp.waitFor((m) => m.to.includes(o.email) && m.subject === subject);
  assert.match(mail.text, /Reembolsamos ARS 1000\.00/);
  await new Promise((r) => setTimeout(r, 3000));
  const again = await getOrder(o.number);
  assert.equal(again.timeline.filter((t: any) => t.event === 'order_refunded').length, 1, 'one effect');
  assert.equal(mailsTo(o.email, subject).length, 1, 'one email');
  assert.deepEqual(await stockOf('OUT-FULL'), { available: 5, reserved: 0 });
  assert.equal(await ourRefundCalls(o.paymentId), 0, 'we refunded nothing ourselves');
  const fulfil = await http('PATCH', api(`/api/v1/orders/${o.number}/status`), { headers: asAdmin, body: { status: 'processing' } });
  assert.deepEqual([fulfil.status, fulfil.body.error?.current], [409, 'refunded'], 'a refunded order is not fulfilled');
  const listed = await http('GET', api('/api/v1/orders?status=refunded'), { headers: asAdmin });
  assert.ok(listed.body.items.some((x: any) => x.order_number === o.number), 'status=refunded filters');
});

test('partial dashboard refund → partially_refunded, no restock, fulfilment goes on; a chargeback after shipment → charged_back, no restock', async () => {
  await product('OUT-PART', '300.00', 4);
  const o = await paidOrder('OUT-PART', 2);
  const part = await admin.refundFromDashboard(o.paymentId, { amount: 150 });
  assert.equal(part.payment.status_detail, 'partially_refunded');
  const done = await waitForOrder(o.number, settled('partially_refunded'), 'is partially refunded');
  assert.deepEqual([done.payment.status, done.payment.reversal.refunded, done.payment.reversal.restocked], ['partially_refunded', '150.00', false]);
  assert.deepEqual(await stockOf('OUT-PART'), { available: 2, reserved: 0 }, 'no restock for a partial refund');
  await smtp.waitFor((m) => m.to.includes(o.email) && m.subject === `Reembolso parcial de tu pedido ${o.number}` && m.text.includes('ARS 150.00'));

  const patch = (body: unknown) => http('PATCH', api(`/api/v1/orders/${o.number}/status`), { headers: asAdmin, body });
  assert.equal((await patch({ status: 'processing' })).status, 200);
  const shipped = await patch({ status: 'shipped', tracking_number: 'AR-PART-1' });
  assert.deepEqual([shipped.status, shipped.body.status], [200, 'partially_refunded'], 'keeps its money status while fulfilled');

  const cb = await admin.chargeback(o.paymentId);
  assert.equal(cb.payment.status, 'charged_back');
  const charged = await waitForOrder(o.number, settled('charged_back'), 'is charged back');
  assert.deepEqual([charged.payment.reversal.kind, charged.payment.reversal.stage, charged.payment.reversal.restocked], ['charged_back', 'shipped', false]);
  assert.deepEqual(await stockOf('OUT-PART'), { available: 2, reserved: 0 }, 'shipped goods are with the customer: no restock');
  await smtp.waitFor((m) => m.to.includes(o.email) && m.subject === `Contracargo de tu pedido ${o.number}`);
  assert.equal(await ourRefundCalls(o.paymentId), 0);
});

test('a duplicate payment on a delivered order (workflow closed) is refunded once with reason duplicate_payment; a later dashboard refund still reaches the order', async () => {
  await product('OUT-DELIV', '200.00', 3);
  const o = await paidOrder('OUT-DELIV', 1);
  const patch = (body: unknown) => http('PATCH', api(`/api/v1/orders/${o.number}/status`), { headers: asAdmin, body });
  await patch({ status: 'processing' });
  await patch({ status: 'shipped', tracking_number: 'AR-DELIV-1' });
  assert.equal((await patch({ status: 'delivered' })).status, 200);
  await waitFor('the delivered order to close', async () => {
    const d = await temporal.workflow.getHandle(`order-${o.number}`).describe();
    if (d.status.name !== 'COMPLETED') throw new Error(d.status.name);
  });

  const second = await admin.payPreference(o.preferenceId, { payer_email: o.email });
  assert.equal(second.webhook?.status, 200);
  const secondId = String(second.payment.id);
  // MercadoPago redelivers it, and announces it again as updated.
  await admin.sendWebhook({ url: webhookUrl(), paymentId: secondId, notificationId: second.webhook!.notificationId });
  await admin.sendWebhook({ url: webhookUrl(), paymentId: secondId, action: 'payment.updated' });
  const done = await waitForOrder(o.number, (x) => x.payment.refunds.some((r: any) => r.status === 'refunded'), 'refunds the duplicate');
  assert.equal(done.status, 'delivered');
  assert.equal(done.source, 'projection', 'the closed order is read from its projection, which is ahead');
  assert.deepEqual(done.payment.refunds.map((r: any) => [r.payment_id, r.reason, r.status, r.amount]), [[secondId, 'duplicate_payment', 'refunded', 200]]);
  const sandboxPayment = await fetch(`${stack.sandboxUrl}/mercadopago/v1/payments/${secondId}`, { headers: { authorization: 'Bearer TEST-sandbox-access-token' } }).then((r) => r.json() as Promise<{ status: string }>);
  assert.equal(sandboxPayment.status, 'refunded');
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await ourRefundCalls(secondId), 1, 'refunded once');
  assert.equal(await ourRefundCalls(o.paymentId), 0, 'the paid payment is kept');
  assert.equal((await getOrder(o.number)).status, 'delivered', 'our own refund is not taken for an outside one');

  // Weeks later the merchant refunds the delivered order from MercadoPago's panel.
  await admin.refundFromDashboard(o.paymentId);
  const refunded = await waitForOrder(o.number, (x) => x.status === 'refunded', 'is refunded after delivery');
  assert.deepEqual([refunded.payment.reversal.stage, refunded.payment.reversal.restocked], ['delivered', false]);
  assert.deepEqual(await stockOf('OUT-DELIV'), { available: 2, reserved: 0 }, 'delivered goods are not restocked');
  await smtp.waitFor((m) => m.to.includes(o.email) && m.subject === `Reembolso de tu pedido ${o.number}`);
  const payments = await temporal.workflow.getHandle(`order-payments-${o.number}`).query('state');
  assert.ok((payments as any).orderFound);
});

test('a payment naming an unknown order is flagged (alert + record), not refunded', async () => {
  const reference = `PF-NOSUCHORDER${Date.now() % 1000}`;
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 99.5, currency_id: 'ARS', external_reference: reference, payer: { email: 'nadie@example.com' } });
  const sent = await admin.sendWebhook({ url: webhookUrl(), paymentId: p.id });
  assert.equal(sent.status, 200);
  await waitFor('the unmatched payment flagged', async () => {
    const alert = await db.collection('alerts').findOne({ _id: `unmatched-payment:${p.id}` as never });
    if (!alert) throw new Error('no alert yet');
    assert.equal(alert.rule, 'unmatched_payment');
  });
  const record = await db.collection('unmatched_payments').findOne({ _id: String(p.id) as never });
  assert.deepEqual([record?.externalReference, record?.status], [reference, 'approved']);
  assert.equal(await ourRefundCalls(String(p.id)), 0, 'not refunded: it may be another system’s sale');
  const event = await db.collection('webhook_events').findOne({ resourceId: String(p.id) });
  assert.equal(event?.status, 'succeeded');
});
