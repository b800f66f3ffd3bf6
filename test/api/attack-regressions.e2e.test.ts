/**
 * Issue 14's attack classes that need the real stack (dev server, FerretDB, sandbox, worker, API),
 * each asserting the refusal and that nothing was stored or started: money beyond exact integers,
 * an Idempotency-Key reused with another body, a refused checkout in the customer's list, a
 * bad-signature flood, ids outside MercadoPago's alphabet.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { signMercadoPagoWebhook, paymentNotification } from '../../sandbox/sign';
import { SANDBOX_SECRETS } from '../../common/config';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'attacks-e2e-api-key-00001';
const asAdmin = { authorization: `Bearer ${KEY}` };
const REFUSALS_PER_MINUTE = 12;

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY, WEBHOOK_REFUSALS_PER_MINUTE: String(REFUSALS_PER_MINUTE) } });
  ({ stack, temporal, db } = ctx);
});
after(async () => {
  await ctx?.stop();
});

const api = (path: string) => `${stack.apiUrl}${path}`;
const webhookUrl = () => `${stack.apiUrl}/webhooks/mercadopago`;
const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };
let seq = 0;

async function customer() {
  const res = await http('POST', api('/auth/register'), { body: { email: `atk${++seq}.${Date.now()}@example.com`, password: 'contraseña-segura-1', name: 'Ana' } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.user.id as string, email: res.body.user.email as string, headers: { authorization: `Bearer ${res.body.access_token}` } };
}
async function product(sku: string, price: string, currency: string, stock: number) {
  const res = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku, name: `Producto ${sku}`, price, currency, stock } });
  assert.equal(res.status, 201, res.text);
}
const orderCount = (customerId: string) => db.collection('orders').countDocuments({ 'customer.id': customerId });

test('money beyond the largest exact amount is 422 naming the field; no order, no workflow', async () => {
  const c = await customer();
  for (let i = 0; i < 10; i++) await product(`BIG-${i}`, '999999999999', 'CLP', 5000);
  const line = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: [{ sku: 'BIG-0', quantity: 1000 }], shipping_address: address } });
  assert.equal(line.status, 422, line.text);
  assert.equal(line.body.error.code, 'amount_too_large');
  assert.equal(line.body.error.field, 'items.0.quantity');
  const total = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: Array.from({ length: 10 }, (_, i) => ({ sku: `BIG-${i}`, quantity: 1 })), shipping_address: address } });
  assert.equal(total.status, 422, total.text);
  assert.equal(total.body.error.field, 'items');
  assert.equal(await orderCount(c.id), 0, 'nothing stored');
  assert.equal((await temporal.workflow.count(`CustomerEmail = '${c.email}'`)).count, 0, 'nothing started');
});

test('an Idempotency-Key reused with another body is 422; the same body is the same order', async () => {
  const c = await customer();
  await product('IDEM-A', '10.00', 'ARS', 50);
  await product('IDEM-B', '20.00', 'ARS', 50);
  const headers = { ...c.headers, 'idempotency-key': `idem-${Date.now()}` };
  const first = await http('POST', api('/api/v1/orders'), { headers, body: { items: [{ sku: 'IDEM-A', quantity: 1 }], shipping_address: address } });
  assert.equal(first.status, 202, first.text);
  const again = await http('POST', api('/api/v1/orders'), { headers, body: { items: [{ sku: 'IDEM-A', quantity: 1 }], shipping_address: address } });
  assert.ok([200, 202].includes(again.status), again.text);
  assert.equal(again.body.order_number, first.body.order_number);
  const other = await http('POST', api('/api/v1/orders'), { headers, body: { items: [{ sku: 'IDEM-B', quantity: 1 }], shipping_address: address } });
  assert.equal(other.status, 422, other.text);
  assert.equal(other.body.error.code, 'idempotency_key_reused');
  assert.equal(other.body.error.field, 'Idempotency-Key');
  assert.equal(await orderCount(c.id), 1, 'one order only');
  // Another customer's identical key is another key.
  const d = await customer();
  const theirs = await http('POST', api('/api/v1/orders'), { headers: { ...d.headers, 'idempotency-key': headers['idempotency-key'] }, body: { items: [{ sku: 'IDEM-B', quantity: 1 }], shipping_address: address } });
  assert.equal(theirs.status, 202, theirs.text);
  assert.notEqual(theirs.body.order_number, first.body.order_number);
});

test('a checkout refused for stock frees its Idempotency-Key: the same request places the order once stock is back', async () => {
  const c = await customer();
  await product('SCARCE-KEY', '5.00', 'ARS', 1);
  const headers = { ...c.headers, 'idempotency-key': `scarce-${Date.now()}` };
  const body = { items: [{ sku: 'SCARCE-KEY', quantity: 2 }], shipping_address: address };
  const refused = await http('POST', api('/api/v1/orders'), { headers, body });
  assert.equal(refused.status, 409, refused.text);
  const restocked = await http('POST', api('/api/v1/products/SCARCE-KEY/stock'), { headers: asAdmin, body: { delta: 5, reason: 'restock' } });
  assert.equal(restocked.status, 200, restocked.text);
  const placed = await http('POST', api('/api/v1/orders'), { headers, body });
  assert.equal(placed.status, 202, placed.text);
  assert.equal(placed.body.status, 'awaiting_payment');
  const again = await http('POST', api('/api/v1/orders'), { headers, body });
  assert.equal(again.body.order_number, placed.body.order_number, 'and the key now names that order');
});

test('a refused checkout is not in the customer\u2019s list (only with status=rejected)', async () => {
  const c = await customer();
  await product('SCARCE-1', '5.00', 'ARS', 1);
  const refused = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: [{ sku: 'SCARCE-1', quantity: 2 }], shipping_address: address } });
  assert.equal(refused.status, 409, refused.text);
  const list = await http('GET', api('/api/v1/orders'), { headers: c.headers });
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 0, JSON.stringify(list.body.items));
  const rejected = await http('GET', api('/api/v1/orders?status=rejected'), { headers: c.headers });
  assert.equal(rejected.body.items.length, 1);
});

test('a bad-signature flood: every refusal counted, a bounded log, 429 past the per-IP limit, valid deliveries still accepted', async () => {
  const url = `${webhookUrl()}?data.id=424242&type=payment`;
  const body = JSON.stringify(paymentNotification({ notificationId: 9_000_001, paymentId: '424242' }));
  const statuses: number[] = [];
  for (let i = 0; i < REFUSALS_PER_MINUTE + 8; i++) {
    const forged = signMercadoPagoWebhook({ secret: 'not-the-secret', dataId: '424242' });
    statuses.push((await http('POST', url, { headers: forged, rawBody: body })).status);
  }
  assert.deepEqual(statuses, [...Array(REFUSALS_PER_MINUTE).fill(401), ...Array(8).fill(429)]);
  const docs = await db.collection('security_events').find({ reason: 'SignatureMismatch' }).toArray();
  assert.ok(docs.length <= 2, `${docs.length} documents for one IP and reason (one per minute)`);
  assert.equal(docs.reduce((n, d) => n + d.count, 0), REFUSALS_PER_MINUTE, 'the log counts the refusals it stored');
  const buckets = await db.collection('metric_counts').find({ family: 'security', granularity: 'd' }).toArray();
  assert.equal(buckets.reduce((n, b) => n + (b.c?.INVALID_WEBHOOK_SIGNATURE ?? 0), 0), REFUSALS_PER_MINUTE + 8, 'the threat metric counts every refusal');
  // A valid delivery from the same IP is never limited.
  const valid = await http('POST', url, { headers: signMercadoPagoWebhook({ secret: SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET, dataId: '424242' }), rawBody: body });
  assert.equal(valid.status, 200, valid.text);
});

test('ids outside MercadoPago\u2019s alphabet are 400 and start nothing', async () => {
  const secret = SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET;
  const emoji = JSON.stringify({ ...paymentNotification({ notificationId: 1, paymentId: '777' }), id: 'a\u0000b\u{1F600}' });
  const r1 = await http('POST', `${webhookUrl()}?data.id=777&type=payment`, { headers: signMercadoPagoWebhook({ secret, dataId: '777' }), rawBody: emoji });
  assert.equal(r1.status, 400, r1.text);
  assert.equal(r1.body.error.field, 'id');
  const r2 = await http('POST', `${webhookUrl()}?data.id=${encodeURIComponent('7 7')}&type=payment`, { headers: signMercadoPagoWebhook({ secret, dataId: '7 7' }), rawBody: JSON.stringify(paymentNotification({ notificationId: 2, paymentId: '7 7' })) });
  assert.equal(r2.status, 400, r2.text);
  assert.equal(r2.body.error.field, 'data.id');
  assert.equal((await temporal.workflow.count(`PaymentId = '777' OR PaymentId = '7 7'`)).count, 0, 'no workflow started');
});
