/**
 * The shop's cart and coupons end to end on the real stack (Temporal dev server + FerretDB +
 * provider sandbox + worker + API), over HTTP as shoppers and admins would: one cart seen from two
 * sign-ins of a customer, priced from the catalog as of now, checked out into an order that is
 * paid at the sandbox; a coupon limited to 10 uses under 50 concurrent checkouts; a coupon's use
 * given back when its order is cancelled before payment and kept when a paid order is refunded;
 * every refused input answered 4xx naming its field.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { cartQuery, cartWorkflowId } from '../../contracts/cart';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let admin: ReturnType<typeof sandboxAdmin>;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'shop-e2e-admin-key-000001';
const asAdmin = { authorization: `Bearer ${KEY}` };

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY, AUTH_RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_GENERAL_PER_HOUR: '100000', RATE_LIMIT_ADMIN_PER_HOUR: '100000', RATE_LIMIT_SEARCH_PER_MINUTE: '100000' } });
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});
afterEach(async () => {
  await admin?.clearFaults();
});

const api = (path: string) => `${stack.apiUrl}${path}`;
const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };
let seq = 0;
const PASSWORD = 'contraseña-segura-1';

async function customer(name = 'Lucía Pérez') {
  const email = `shopper${++seq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password: PASSWORD, name } });
  assert.equal(res.status, 201, res.text);
  return { email, id: res.body.user.id as string, headers: { authorization: `Bearer ${res.body.access_token}` } };
}
/** Another device: a second sign-in of the same customer (its own tokens). */
async function signIn(email: string) {
  const res = await http('POST', api('/auth/login'), { body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  return { authorization: `Bearer ${res.body.access_token}` };
}
async function product(sku: string, price: string, stock: number, currency = 'ARS') {
  const res = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku, name: `Producto ${sku}`, price, currency, stock } });
  assert.equal(res.status, 201, res.text);
}
async function coupon(body: Record<string, unknown>) {
  const res = await http('POST', api('/api/v1/coupons'), { headers: asAdmin, body });
  assert.equal(res.status, 201, res.text);
  return res.body;
}
const addItem = (headers: Record<string, string>, sku: string, quantity: number) => http('POST', api('/api/v1/cart/items'), { headers, body: { sku, quantity } });
const getCart = async (headers: Record<string, string>) => {
  const res = await http('GET', api('/api/v1/cart'), { headers });
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const order = (headers: Record<string, string>, body: Record<string, unknown>) => http('POST', api('/api/v1/orders'), { headers, body: { shipping_address: address, ...body }, timeoutMs: 120_000 });
async function waitForStatus(number: string, headers: Record<string, string>, status: string) {
  let last: any;
  await waitFor(
    `order ${number} is ${status}`,
    async () => {
      last = (await http('GET', api(`/api/v1/orders/${number}`), { headers })).body;
      if (last?.status !== status) throw new Error(`status ${last?.status}`);
    },
    { timeoutMs: 90_000 },
  );
  return last;
}
const slotsOf = (code: string) => db.collection('coupon_redemptions').countDocuments({ code, kind: 'total' });

test('one cart from two devices, priced as of now; checkout from the cart empties it and the order is paid', async () => {
  await product('CART-MATE', '1500.00', 20);
  await product('CART-YERBA', '3200.50', 20);
  await product('CART-BOMBILLA', '800.00', 20);
  const c = await customer();
  const phone = c.headers;
  const laptop = await signIn(c.email);
  assert.notEqual(phone.authorization, laptop.authorization);

  // Nothing yet: an empty cart, and no workflow was started by reading it.
  const empty = await getCart(phone);
  assert.deepEqual([empty.items, empty.item_count, empty.subtotal_minor], [[], 0, null]);
  await assert.rejects(temporal.workflow.getHandle(cartWorkflowId(c.id)).describe());

  // The first add creates the cart; the other device sees it and adds to it.
  const first = await addItem(phone, 'CART-MATE', 2);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body.items.map((i: any) => [i.sku, i.quantity, i.unit_price, i.line_total]), [['CART-MATE', 2, '1500.00', '3000.00']]);
  const fromLaptop = await getCart(laptop);
  assert.deepEqual(fromLaptop.items.map((i: any) => [i.sku, i.quantity]), [['CART-MATE', 2]]);
  assert.equal((await addItem(laptop, 'CART-YERBA', 1)).status, 200);
  // The same sku again adds up; two devices adding at once lose nothing.
  const both = await Promise.all([addItem(phone, 'CART-MATE', 1), addItem(laptop, 'CART-BOMBILLA', 3)]);
  assert.deepEqual(both.map((r) => r.status), [200, 200]);
  const put = await http('PUT', api('/api/v1/cart/items/CART-BOMBILLA'), { headers: phone, body: { quantity: 2 } });
  assert.equal(put.status, 200, put.text);
  let cart = await getCart(laptop);
  assert.deepEqual(cart.items.map((i: any) => [i.sku, i.quantity]), [['CART-MATE', 3], ['CART-YERBA', 1], ['CART-BOMBILLA', 2]]);
  assert.deepEqual([cart.currency, cart.subtotal, cart.subtotal_minor, cart.item_count], ['ARS', '9300.50', 930050, 6]);

  // Prices are the catalog's as of now: a price change shows at once; a product taken off sale is marked.
  assert.equal((await http('PATCH', api('/api/v1/products/CART-YERBA'), { headers: asAdmin, body: { price: '3500.00' } })).status, 200);
  cart = await getCart(phone);
  assert.deepEqual(cart.items.find((i: any) => i.sku === 'CART-YERBA'), { ...cart.items.find((i: any) => i.sku === 'CART-YERBA'), unit_price: '3500.00', line_total: '3500.00', for_sale: true, available: 20, in_stock: true });
  assert.equal(cart.subtotal_minor, 4500_00 + 3500_00 + 1600_00);
  // The cart itself holds skus and quantities only.
  const stored = await temporal.workflow.getHandle(cartWorkflowId(c.id)).query(cartQuery);
  assert.deepEqual(Object.keys(stored.items[0]).sort(), ['addedAt', 'quantity', 'sku']);

  // Removing a line; removing it again is the same answer.
  const removed = await http('DELETE', api('/api/v1/cart/items/CART-BOMBILLA'), { headers: laptop });
  assert.equal(removed.status, 200, removed.text);
  assert.deepEqual(removed.body.items.map((i: any) => i.sku), ['CART-MATE', 'CART-YERBA']);
  assert.equal((await http('DELETE', api('/api/v1/cart/items/CART-BOMBILLA'), { headers: laptop })).status, 200);

  // Checkout from the cart (POST /orders with from_cart): catalog prices, the cart emptied once accepted.
  const placed = await order(phone, { from_cart: true });
  assert.equal(placed.status, 202, placed.text);
  assert.deepEqual([placed.body.total, placed.body.subtotal_minor, placed.body.discount_minor, placed.body.from_cart], ['8000.00', 8000_00, 0, true]);
  cart = await getCart(laptop);
  assert.deepEqual([cart.items, cart.item_count], [[], 0]);
  const o = (await http('GET', api(`/api/v1/orders/${placed.body.order_number}`), { headers: laptop })).body;
  assert.deepEqual(o.items.map((i: any) => [i.sku, i.quantity, i.unit_price]), [['CART-MATE', 3, '1500.00'], ['CART-YERBA', 1, '3500.00']]);

  // An empty cart cannot be ordered: 422 naming the field, nothing started.
  const none = await order(phone, { from_cart: true });
  assert.deepEqual([none.status, none.body.error.code, none.body.error.field], [422, 'cart_empty', 'from_cart']);
  const none2 = await http('POST', api('/api/v1/cart/checkout'), { headers: phone, body: { shipping_address: address } });
  assert.deepEqual([none2.status, none2.body.error.code, none2.body.error.field], [422, 'cart_empty', 'cart']);

  // Paid at the sandbox → confirmed; the projection says the order came from the cart.
  const paid = await admin.payPreference(placed.body.payment.preference_id, { payer_email: c.email });
  assert.equal(paid.payment.transaction_amount, 8000);
  await waitForStatus(placed.body.order_number, phone, 'confirmed');
  const projection = await db.collection('orders').findOne({ _id: placed.body.order_number } as never);
  assert.equal(projection?.fromCart, true);

  // POST /cart/checkout is the same checkout: a line added on one device is ordered from the other.
  assert.equal((await addItem(laptop, 'CART-BOMBILLA', 1)).status, 200);
  const viaCart = await http('POST', api('/api/v1/cart/checkout'), { headers: phone, body: { shipping_address: address }, timeoutMs: 120_000 });
  assert.equal(viaCart.status, 202, viaCart.text);
  assert.deepEqual([viaCart.body.total, viaCart.body.from_cart], ['800.00', true]);
  assert.deepEqual((await getCart(phone)).items, []);
  // Emptying the cart (DELETE /cart) after adding again.
  assert.equal((await addItem(phone, 'CART-MATE', 1)).status, 200);
  const cleared = await http('DELETE', api('/api/v1/cart'), { headers: laptop });
  assert.deepEqual([cleared.status, cleared.body.items], [200, []]);
});

test('a coupon limited to 10 uses under 50 concurrent checkouts: exactly 10 discounted orders, the rest 422 coupon_exhausted', async () => {
  await product('COUP-TERMO', '10000.00', 200);
  await coupon({ code: 'diez10', type: 'percent', value: 10, usage_limit: 10 });
  const shoppers = await Promise.all(Array.from({ length: 5 }, () => customer()));
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => order(shoppers[i % 5].headers, { items: [{ sku: 'COUP-TERMO', quantity: 1 }], coupon: 'DIEZ10' })));
  const accepted = answers.filter((r) => r.status === 202);
  const refused = answers.filter((r) => r.status !== 202);
  assert.equal(accepted.length, 10, answers.map((r) => `${r.status} ${r.body?.error?.code ?? ''}`).join(', '));
  assert.ok(refused.every((r) => r.status === 422 && r.body.error.code === 'coupon_exhausted' && r.body.error.reason === 'coupon_exhausted' && r.body.error.field === 'coupon'), refused.map((r) => r.text).join('\n'));
  for (const a of accepted) assert.deepEqual([a.body.subtotal_minor, a.body.discount_minor, a.body.total_minor, a.body.coupon.code], [10000_00, 1000_00, 9000_00, 'DIEZ10']);
  assert.equal(await slotsOf('DIEZ10'), 10);
  // The projection: ten live orders carry the coupon (admins filter by coupon.code); the refusals are not orders.
  await waitFor('the ten orders recorded', async () => {
    const n = await db.collection('orders').countDocuments({ 'coupon.code': 'DIEZ10', status: 'awaiting_payment' });
    if (n !== 10) throw new Error(`${n} awaiting payment with the coupon`);
  });
  const listed = (await http('GET', api('/api/v1/coupons/DIEZ10'), { headers: asAdmin })).body;
  assert.deepEqual([listed.used, listed.remaining, listed.usage_limit], [10, 0, 10]);
  // The order carries its totals.
  const one = (await http('GET', api(`/api/v1/orders/${accepted[0].body.order_number}`), { headers: asAdmin })).body;
  assert.deepEqual([one.subtotal, one.discount, one.total, one.coupon], ['10000.00', '1000.00', '9000.00', { code: 'DIEZ10', discount: '1000.00', discount_minor: 1000_00 }]);
});

test('a coupon use is given back when the order is cancelled before payment (reusable), and kept when a paid order is refunded', async () => {
  await product('COUP-YERBA', '2000.00', 50);
  await coupon({ code: 'DOS', type: 'fixed', value: '500.00', currency: 'ARS', usage_limit: 2 });
  const c = await customer();
  const place = () => order(c.headers, { items: [{ sku: 'COUP-YERBA', quantity: 1 }], coupon: 'dos' });
  const a = await place();
  const b = await place();
  assert.deepEqual([a.status, b.status, a.body.total, a.body.discount], [202, 202, '1500.00', '500.00']);
  const third = await place();
  assert.deepEqual([third.status, third.body.error.reason], [422, 'coupon_exhausted']);

  // Cancelled before payment: the slot is released and the next checkout gets it.
  const cancelled = await http('POST', api(`/api/v1/orders/${a.body.order_number}/cancel`), { headers: c.headers, body: { reason: 'me arrepentí' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  await waitFor('the coupon use released', async () => {
    const n = await slotsOf('DOS');
    if (n !== 1) throw new Error(`${n} slots held`);
  });
  const again = await place();
  assert.equal(again.status, 202, again.text);
  assert.equal(await slotsOf('DOS'), 2);

  // Paid at the discounted total, then refunded from MercadoPago's panel: the use is kept.
  const paid = await admin.payPreference(b.body.payment.preference_id, { payer_email: c.email });
  assert.equal(paid.payment.transaction_amount, 1500);
  await waitForStatus(b.body.order_number, c.headers, 'confirmed');
  await admin.refundFromDashboard(paid.payment.id);
  await waitForStatus(b.body.order_number, c.headers, 'refunded');
  assert.equal(await slotsOf('DOS'), 2);
  const still = await place();
  assert.deepEqual([still.status, still.body.error.reason], [422, 'coupon_exhausted']);
  const projection = await db.collection('orders').findOne({ _id: b.body.order_number } as never);
  assert.deepEqual([projection?.coupon, projection?.subtotalMinor, projection?.discountMinor, projection?.totalMinor], [{ code: 'DOS', discountMinor: 500_00 }, 2000_00, 500_00, 1500_00]);
});

test('coupons that do not apply: 422 with the reason, nothing started; per-customer limit; the coupon with a cart checkout', async () => {
  await product('COUP-MATE', '1000.00', 50);
  await product('COUP-USD', '10.00', 50, 'USD');
  const day = 86_400_000;
  await coupon({ code: 'VENCIDO', type: 'percent', value: 20, valid_until: new Date(Date.now() - day).toISOString() });
  await coupon({ code: 'FUTURO', type: 'percent', value: 20, valid_from: new Date(Date.now() + day).toISOString() });
  await coupon({ code: 'MINIMO', type: 'percent', value: 20, min_order_minor: 5000_00 });
  await coupon({ code: 'PESOS', type: 'fixed', value: '100.00', currency: 'ARS' });
  await coupon({ code: 'UNAVEZ', type: 'percent', value: 15, per_customer_limit: 1 });
  await coupon({ code: 'APAGADO', type: 'percent', value: 15, active: false });
  const c = await customer();
  const ordersBefore = await db.collection('orders').countDocuments({});
  const tryCode = (code: string, sku = 'COUP-MATE') => order(c.headers, { items: [{ sku, quantity: 1 }], coupon: code });
  for (const [code, reason, sku] of [
    ['NOEXISTE', 'coupon_not_found'],
    ['APAGADO', 'coupon_not_found'],
    ['VENCIDO', 'coupon_expired'],
    ['FUTURO', 'coupon_expired'],
    ['MINIMO', 'coupon_min_order'],
    ['PESOS', 'coupon_currency', 'COUP-USD'],
  ] as const) {
    const res = await tryCode(code, sku);
    assert.deepEqual([res.status, res.body.error.code, res.body.error.reason, res.body.error.field], [422, reason, reason, 'coupon'], `${code}: ${res.text}`);
  }
  assert.equal(await db.collection('orders').countDocuments({}), ordersBefore, 'a refused coupon starts nothing');
  const bad = await tryCode('x');
  assert.deepEqual([bad.status, bad.body.error.field], [400, 'coupon']);

  // Once per customer: the second use by the same customer is refused; another customer may.
  assert.equal((await tryCode('UNAVEZ')).status, 202);
  const twice = await tryCode('UNAVEZ');
  assert.deepEqual([twice.status, twice.body.error.reason], [422, 'coupon_customer_limit']);
  const other = await customer();
  assert.equal((await order(other.headers, { items: [{ sku: 'COUP-MATE', quantity: 1 }], coupon: 'UNAVEZ' })).status, 202);

  // A coupon on a cart checkout.
  assert.equal((await addItem(other.headers, 'COUP-MATE', 3)).status, 200);
  const checkout = () => http('POST', api('/api/v1/cart/checkout'), { headers: { ...other.headers, 'idempotency-key': `cart-checkout-${other.id}` }, body: { shipping_address: address, coupon: 'PESOS' }, timeoutMs: 120_000 });
  const viaCart = await checkout();
  assert.equal(viaCart.status, 202, viaCart.text);
  assert.deepEqual([viaCart.body.subtotal, viaCart.body.discount, viaCart.body.total, viaCart.body.coupon.code], ['3000.00', '100.00', '2900.00', 'PESOS']);
  // Retried with its Idempotency-Key after the cart was emptied: the same order, not "cart empty".
  const retried = await checkout();
  assert.deepEqual([retried.status, retried.body.order_number, retried.body.total, retried.body.from_cart], [200, viaCart.body.order_number, '2900.00', true], retried.text);
  assert.equal(await db.collection('orders').countDocuments({ 'customer.id': other.id, fromCart: true }), 1);
});

test('bad inputs on every cart and coupon endpoint: 4xx naming the field, never 5xx', async () => {
  await product('BAD-MATE', '1000.00', 5);
  await product('BAD-OFF', '1000.00', 5);
  assert.equal((await http('PATCH', api('/api/v1/products/BAD-OFF'), { headers: asAdmin, body: { active: false } })).status, 200);
  const c = await customer();
  const h = c.headers;
  const expect = async (res: { status: number; body: any; text: string }, status: number, field: string) => {
    assert.deepEqual([res.status, res.body?.error?.field], [status, field], res.text);
  };
  // POST /cart/items
  await expect(await http('POST', api('/api/v1/cart/items'), { headers: h, body: { quantity: 1 } }), 400, 'sku');
  await expect(await http('POST', api('/api/v1/cart/items'), { headers: h, body: { sku: 'BAD MATE', quantity: 1 } }), 400, 'sku');
  await expect(await addItem(h, 'BAD-MATE', 0), 400, 'quantity');
  await expect(await addItem(h, 'BAD-MATE', 100), 400, 'quantity');
  await expect(await http('POST', api('/api/v1/cart/items'), { headers: h, body: { sku: 'BAD-MATE', quantity: 1.5 } }), 400, 'quantity');
  await expect(await http('POST', api('/api/v1/cart/items'), { headers: h, body: { sku: 'BAD-MATE', quantity: '2' } }), 400, 'quantity');
  await expect(await addItem(h, 'NO-SUCH-SKU', 1), 422, 'sku');
  await expect(await addItem(h, 'BAD-OFF', 1), 422, 'sku');
  // Refusals started no cart.
  await assert.rejects(temporal.workflow.getHandle(cartWorkflowId(c.id)).describe());
  assert.equal((await addItem(h, 'BAD-MATE', 98)).status, 200);
  await expect(await addItem(h, 'BAD-MATE', 2), 422, 'quantity');
  // PUT /cart/items/:sku
  await expect(await http('PUT', api('/api/v1/cart/items/BAD-MATE'), { headers: h, body: { quantity: 0 } }), 400, 'quantity');
  await expect(await http('PUT', api('/api/v1/cart/items/BAD-MATE'), { headers: h, body: {} }), 400, 'quantity');
  await expect(await http('PUT', api('/api/v1/cart/items/NOT-IN-CART'), { headers: h, body: { quantity: 1 } }), 404, 'sku');
  await expect(await http('PUT', api(`/api/v1/cart/items/${encodeURIComponent('bad sku!')}`), { headers: h, body: { quantity: 1 } }), 400, 'sku');
  // DELETE /cart/items/:sku
  await expect(await http('DELETE', api(`/api/v1/cart/items/${encodeURIComponent('bad sku!')}`), { headers: h }), 400, 'sku');
  const cart = await getCart(h);
  assert.deepEqual(cart.items.map((i: any) => [i.sku, i.quantity]), [['BAD-MATE', 98]], 'refused changes changed nothing');
  // POST /orders and /cart/checkout
  await expect(await order(h, { from_cart: true, items: [{ sku: 'BAD-MATE', quantity: 1 }] }), 400, 'items');
  await expect(await order(h, {}), 400, 'items');
  await expect(await order(h, { from_cart: 'yes' }), 400, 'from_cart');
  await expect(await http('POST', api('/api/v1/cart/checkout'), { headers: h, body: {} }), 400, 'shipping_address');
  // The cart wants 98 of a sku with 5 in stock: refused for stock, and the cart keeps its lines.
  const short = await http('POST', api('/api/v1/cart/checkout'), { headers: h, body: { shipping_address: address }, timeoutMs: 120_000 });
  assert.deepEqual([short.status, short.body.error.code, short.body.error.field], [409, 'insufficient_stock', 'items'], short.text);
  assert.deepEqual((await getCart(h)).items.map((i: any) => i.quantity), [98]);
  // API keys are not shoppers; customers do not manage coupons.
  await expect(await http('GET', api('/api/v1/cart'), { headers: asAdmin }), 403, undefined as never);
  assert.equal((await http('GET', api('/api/v1/coupons'), { headers: h })).status, 403);
  assert.equal((await http('GET', api('/api/v1/cart'), {})).status, 401);

  // Coupon admin
  const post = (body: Record<string, unknown>) => http('POST', api('/api/v1/coupons'), { headers: asAdmin, body });
  await expect(await post({ type: 'percent', value: 10 }), 400, 'code');
  await expect(await post({ code: 'a b', type: 'percent', value: 10 }), 400, 'code');
  await expect(await post({ code: 'TIPO', type: 'gratis', value: 10 }), 400, 'type');
  await expect(await post({ code: 'PCT', type: 'percent', value: 150 }), 422, 'value');
  await expect(await post({ code: 'PCT', type: 'percent', value: 12.5 }), 422, 'value');
  await expect(await post({ code: 'FIJO', type: 'fixed', value: '100.00' }), 422, 'currency');
  await expect(await post({ code: 'FIJO', type: 'fixed', value: '1.234', currency: 'ARS' }), 422, 'value');
  await expect(await post({ code: 'FIJO', type: 'fixed', value: '0', currency: 'ARS' }), 422, 'value');
  await expect(await post({ code: 'FECHA', type: 'percent', value: 10, valid_from: '2030-01-02T00:00:00Z', valid_until: '2030-01-01T00:00:00Z' }), 422, 'valid_until');
  await expect(await post({ code: 'FECHA', type: 'percent', value: 10, valid_until: 'mañana' }), 400, 'valid_until');
  await expect(await post({ code: 'LIM', type: 'percent', value: 10, usage_limit: 0 }), 400, 'usage_limit');
  await expect(await post({ code: 'LIM', type: 'percent', value: 10, usage_limit: 2, per_customer_limit: 3 }), 422, 'per_customer_limit');
  await expect(await post({ code: 'MIN', type: 'percent', value: 10, min_order_minor: -1 }), 400, 'min_order_minor');
  assert.equal((await post({ code: 'BIEN', type: 'percent', value: 10 })).status, 201);
  await expect(await post({ code: 'bien', type: 'percent', value: 10 }), 409, 'code');
  assert.equal(await db.collection('coupons').countDocuments({ _id: { $in: ['PCT', 'FIJO', 'FECHA', 'LIM', 'MIN', 'TIPO'] } } as never), 0, 'refused coupons are not stored');
  await expect(await http('GET', api('/api/v1/coupons/NOPE'), { headers: asAdmin }), 404, 'code');
  await expect(await http('GET', api('/api/v1/coupons?limit=0'), { headers: asAdmin }), 400, 'limit');
  await expect(await http('PATCH', api('/api/v1/coupons/BIEN'), { headers: asAdmin, body: {} }), 400, 'body');
  await expect(await http('PATCH', api('/api/v1/coupons/BIEN'), { headers: asAdmin, body: { value: 0 } }), 422, 'value');
  await expect(await http('PATCH', api('/api/v1/coupons/NOPE'), { headers: asAdmin, body: { active: false } }), 404, 'code');
  await expect(await http('DELETE', api('/api/v1/coupons/NOPE'), { headers: asAdmin }), 404, 'code');
  const patched = await http('PATCH', api('/api/v1/coupons/BIEN'), { headers: asAdmin, body: { value: 25, usage_limit: 5 } });
  assert.deepEqual([patched.status, patched.body.value, patched.body.usage_limit, patched.body.remaining], [200, 25, 5, 5]);
  const deleted = await http('DELETE', api('/api/v1/coupons/BIEN'), { headers: asAdmin });
  assert.deepEqual([deleted.status, deleted.body.active], [200, false]);
  const list = await http('GET', api('/api/v1/coupons?active=false'), { headers: asAdmin });
  assert.ok(list.body.items.some((x: any) => x.code === 'BIEN'));
});
