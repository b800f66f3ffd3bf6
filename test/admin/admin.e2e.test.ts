/**
 * The admin API's money figures end to end (API + worker + Temporal + FerretDB + sandbox): orders
 * are driven to paid through MercadoPago's sandbox and refunded from its panel, and the dashboard
 * and analytics must equal the sums of exactly those orders and refunds, to the minor unit. Also
 * the orders filters, page totals, the CSV exports and bad input.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mongoose from 'mongoose';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let db: mongoose.Connection;
let sandbox: ReturnType<typeof sandboxAdmin>;
const KEY = 'admin-e2e-api-key-000001';
const asAdmin = { authorization: `Bearer ${KEY}` };
const RUN = Date.now().toString(36).toUpperCase();
const sku = (s: string) => `ADM-${s}-${RUN}`;

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY } });
  ({ stack, db } = ctx);
  sandbox = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (p: string) => `${stack.apiUrl}${p}`;
const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };
let seq = 0;

async function customer() {
  const email = `admin-e2e${++seq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password: 'contraseña-segura-1', name: 'Ana García' } });
  assert.equal(res.status, 201, res.text);
  return { email, id: res.body.user.id as string, headers: { authorization: `Bearer ${res.body.access_token}` } };
}
async function product(s: string, price: string, stock: number) {
  const res = await http('POST', api('/api/v1/products'), { headers: asAdmin, body: { sku: s, name: `Producto ${s}`, price, currency: 'ARS', stock } });
  assert.equal(res.status, 201, res.text);
}
async function waitForOrder(number: string, status: string) {
  let last: any;
  await waitFor(
    `order ${number} is ${status}`,
    async () => {
      last = (await http('GET', api(`/api/v1/orders/${number}`), { headers: asAdmin })).body;
      if (last?.status !== status || (last.pending_effects ?? []).length > 0) throw new Error(`status ${last?.status}, pending ${JSON.stringify(last?.pending_effects)}`);
    },
    { timeoutMs: 90_000 },
  );
  return last;
}
async function paidOrder(c: Awaited<ReturnType<typeof customer>>, items: { sku: string; quantity: number }[]) {
  const res = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items, shipping_address: address } });
  assert.equal(res.status, 202, res.text);
  const number = res.body.order_number as string;
  const paid = await sandbox.payPreference(res.body.payment.preference_id, { payer_email: c.email });
  assert.equal(paid.webhook?.status, 200);
  await waitForOrder(number, 'confirmed');
  return { number, totalMinor: res.body.total_minor as number, paymentId: String(paid.payment.id) };
}

/** RFC 4180 CSV (quoted fields, doubled quotes), enough to read what csv-stringify writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}
const csvObjects = (text: string) => {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};

const ars = (k: any) => k.by_currency.find((x: any) => x.currency === 'ARS') ?? { orders: 0, gross_minor: 0, refunds_minor: 0, revenue_minor: 0, carts_converted: 0 };
const dashboard = async () => {
  const r = await http('GET', api('/api/v1/admin/dashboard?low_stock_threshold=3'), { headers: asAdmin });
  assert.equal(r.status, 200, r.text);
  return r.body;
};

test('dashboard and analytics equal the sums of the orders paid and refunded here, to the minor unit; CSV exports parse', { timeout: 600_000 }, async () => {
  const [MATE, YERBA, BOMBI] = [sku('MATE'), sku('YERBA'), sku('BOMBI')];
  await product(MATE, '1000.00', 10);
  await product(YERBA, '500.00', 10);
  await product(BOMBI, '333.33', 4);
  const LOW = sku('LOW');
  await product(LOW, '10.00', 2);
  // The catalog's category field (its own helper adds it to products): read from the product when the order item has none.
  await db.collection('products').updateOne({ _id: MATE as never }, { $set: { category: `mates-${RUN.toLowerCase()}` } });
  const before = await dashboard();
  const c1 = await customer();
  const c2 = await customer();

  const a = await paidOrder(c1, [{ sku: MATE, quantity: 2 }, { sku: YERBA, quantity: 1 }]); // 2500.00
  const b = await paidOrder(c2, [{ sku: BOMBI, quantity: 3 }]); // 999.99
  assert.deepEqual([a.totalMinor, b.totalMinor], [250000, 99999]);

  await sandbox.refundFromDashboard(a.paymentId, { amount: 150 }); // 15000 minor, split 12000 / 3000 over A's lines
  await waitForOrder(a.number, 'partially_refunded');
  await sandbox.refundFromDashboard(b.paymentId);
  await waitForOrder(b.number, 'refunded');

  const after = await dashboard();
  const [t0, t1] = [ars(before.today), ars(after.today)];
  const gross = a.totalMinor + b.totalMinor;
  const refunds = 15000 + b.totalMinor;
  assert.equal(t1.orders - t0.orders, 2);
  assert.equal(t1.gross_minor - t0.gross_minor, gross);
  assert.equal(t1.refunds_minor - t0.refunds_minor, refunds);
  assert.equal(t1.revenue_minor - t0.revenue_minor, gross - refunds, 'revenue is net of refunds');
  assert.equal(t1.carts_converted - t0.carts_converted, 0, 'no cart checkouts here');
  assert.equal(t1.average_order_value_minor, Math.round(t1.gross_minor / t1.orders));
  const [m0, m1] = [ars(before.month), ars(after.month)];
  assert.equal(m1.gross_minor - m0.gross_minor, gross);
  assert.equal(m1.refunds_minor - m0.refunds_minor, refunds);
  assert.ok(after.today.top_products.some((p: any) => p.sku === BOMBI && p.units >= 3));
  assert.ok(after.low_stock.items.some((p: any) => p.sku === LOW && p.available === 2), JSON.stringify(after.low_stock));
  assert.ok(!after.low_stock.items.some((p: any) => p.sku === MATE || p.sku === BOMBI), 'the refunded order was restocked: 4 again');
  assert.equal(typeof after.pending_fulfilments.total, 'number');
  assert.equal(typeof after.open_incidents.total, 'number');

  // Analytics by product: each line's share, refunds split pro rata, net = sales − refunds.
  const byProduct = await http('GET', api('/api/v1/admin/analytics?period=2d&group_by=day&by=product'), { headers: asAdmin });
  assert.equal(byProduct.status, 200, byProduct.text);
  const sum = (rows: any[], key: string) => {
    const mine = rows.filter((r: any) => r.key === key && r.currency === 'ARS');
    return { sales: mine.reduce((s, r) => s + r.sales_minor, 0), units: mine.reduce((s, r) => s + r.units, 0), refunds: mine.reduce((s, r) => s + r.refunds_minor, 0), net: mine.reduce((s, r) => s + r.net_minor, 0) };
  };
  assert.deepEqual(sum(byProduct.body.rows, MATE), { sales: 200000, units: 2, refunds: 12000, net: 188000 });
  assert.deepEqual(sum(byProduct.body.rows, YERBA), { sales: 50000, units: 1, refunds: 3000, net: 47000 });
  assert.deepEqual(sum(byProduct.body.rows, BOMBI), { sales: 99999, units: 3, refunds: 99999, net: 0 });

  const byCategory = await http('GET', api('/api/v1/admin/analytics?period=2d&group_by=month&by=category'), { headers: asAdmin });
  assert.equal(byCategory.status, 200, byCategory.text);
  assert.deepEqual(sum(byCategory.body.rows, `mates-${RUN.toLowerCase()}`), { sales: 200000, units: 2, refunds: 12000, net: 188000 });
  const uncategorized = sum(byCategory.body.rows, 'uncategorized');
  assert.ok(uncategorized.sales >= 50000 + 99999 && uncategorized.units >= 4);
  const weekly = await http('GET', api('/api/v1/admin/analytics?period=2d&group_by=week&by=product'), { headers: asAdmin });
  assert.match(weekly.body.rows[0].bucket, /^\d{4}-W\d{2}$/);
  assert.deepEqual(sum(weekly.body.rows, MATE), { sales: 200000, units: 2, refunds: 12000, net: 188000 });
  // The analytics totals and the dashboard agree on the whole (this stack's orders are all here).
  const totalsArs = byProduct.body.totals.find((t: any) => t.currency === 'ARS');
  assert.equal(totalsArs.net_minor, totalsArs.sales_minor - totalsArs.refunds_minor);

  const csv = await http('GET', api('/api/v1/admin/analytics?period=2d&by=product&format=csv'), { headers: asAdmin });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  const csvRows = csvObjects(csv.text);
  assert.deepEqual(Object.keys(csvRows[0]), ['day', 'product', 'currency', 'sales_minor', 'units', 'refunds_minor', 'net_minor']);
  const mateCsv = csvRows.filter((r) => r.product === MATE);
  assert.equal(mateCsv.reduce((s, r) => s + Number(r.net_minor), 0), 188000);
  const viaAccept = await http('GET', api('/api/v1/admin/analytics?period=2d&by=category'), { headers: { ...asAdmin, accept: 'text/csv' } });
  assert.match(viaAccept.headers.get('content-type') ?? '', /^text\/csv/);
  assert.ok(csvObjects(viaAccept.text).some((r) => r.category === `mates-${RUN.toLowerCase()}` && r.sales_minor === '200000'));

  // Orders: filters, page totals, CSV.
  const mine = await http('GET', api(`/api/v1/admin/orders?customer=${encodeURIComponent(c1.email)}`), { headers: asAdmin });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.map((o: any) => o.order_number), [a.number]);
  assert.deepEqual(mine.body.page_totals, [{ currency: 'ARS', orders: 1, total_minor: 250000, total: '2500.00' }]);
  const byId = await http('GET', api(`/api/v1/admin/orders?customer=${c2.id}&payment_status=refunded`), { headers: asAdmin });
  assert.deepEqual(byId.body.items.map((o: any) => o.order_number), [b.number]);
  const range = await http('GET', api(`/api/v1/admin/orders?total_min=99999&total_max=99999&status=refunded,partially_refunded`), { headers: asAdmin });
  assert.ok(range.body.items.some((o: any) => o.order_number === b.number) && range.body.items.every((o: any) => o.total_minor === 99999));
  const today = new Date().toISOString().slice(0, 10);
  const dated = await http('GET', api(`/api/v1/admin/orders?from=${today}&to=${today}&page_size=1&page=1`), { headers: asAdmin });
  assert.equal(dated.body.items.length, 1);
  assert.ok(dated.body.total >= 2 && dated.body.pages >= 2);
  const future = await http('GET', api('/api/v1/admin/orders?from=2999-01-01'), { headers: asAdmin });
  assert.deepEqual([future.body.total, future.body.items], [0, []]);
  // No coupon exists in this build's checkout: a coupon filter matches none of these orders.
  const couponed = await http('GET', api(`/api/v1/admin/orders?coupon=VERANO10&customer=${encodeURIComponent(c1.email)}`), { headers: asAdmin });
  assert.deepEqual(couponed.body.items, []);
  const ordersCsv = await http('GET', api(`/api/v1/admin/orders?customer=${encodeURIComponent(c1.email)}&format=csv`), { headers: asAdmin });
  assert.match(ordersCsv.headers.get('content-type') ?? '', /^text\/csv/);
  const [row] = csvObjects(ordersCsv.text);
  assert.deepEqual([row.order_number, row.customer_email, row.total, row.total_minor, row.payment_status, row.from_cart], [a.number, c1.email, '2500.00', '250000', 'partially_refunded', 'false']);
  const ordersCsvAccept = await http('GET', api(`/api/v1/admin/orders?customer=${c2.id}`), { headers: { ...asAdmin, accept: 'text/csv' } });
  assert.equal(csvObjects(ordersCsvAccept.text)[0].order_number, b.number);
});

test('bad input → 400 naming the field; customers → 403; no credentials → 401', async () => {
  const cases: [string, string][] = [
    ['/api/v1/admin/analytics?group_by=year', 'group_by'],
    ['/api/v1/admin/analytics?by=brand', 'by'],
    ['/api/v1/admin/analytics?period=forever', 'period'],
    ['/api/v1/admin/analytics?period=900d', 'period'],
    ['/api/v1/admin/analytics?format=xml', 'format'],
    ['/api/v1/admin/orders?status=lost', 'status'],
    ['/api/v1/admin/orders?total_min=-1', 'total_min'],
    ['/api/v1/admin/orders?total_min=5&total_max=4', 'total_min'],
    ['/api/v1/admin/orders?from=yesterday', 'from'],
    ['/api/v1/admin/orders?payment_status=maybe', 'payment_status'],
    ['/api/v1/admin/orders?page=0', 'page'],
    ['/api/v1/admin/users?status=banned', 'status'],
    ['/api/v1/admin/dashboard?low_stock_threshold=-2', 'low_stock_threshold'],
  ];
  for (const [p, field] of cases) {
    const r = await http('GET', api(p), { headers: asAdmin });
    assert.deepEqual([r.status, r.body?.error?.field], [400, field], `${p}: ${r.text}`);
  }
  const c = await customer();
  for (const p of ['/api/v1/admin/dashboard', '/api/v1/admin/users', '/api/v1/admin/orders', '/api/v1/admin/analytics']) {
    assert.equal((await http('GET', api(p), { headers: c.headers })).status, 403, p);
    assert.equal((await http('GET', api(p))).status, 401, p);
  }
  assert.equal((await http('PATCH', api(`/api/v1/admin/users/${c.id}`), { headers: c.headers, body: { role: 'admin' } })).status, 403);
});
