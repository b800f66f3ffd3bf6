/**
 * Affiliate commissions end to end on the real stack (dev server + FerretDB + sandbox + worker +
 * API): entities, conversions → commission workflows with a short hold, payout batches and their
 * CSV, voids, clawbacks, manual approval, orders carrying an affiliate code, the monthly Schedule,
 * and 1,000 conversions whose report totals are exact to the cent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
const KEY = 'commissions-e2e-api-key-01';
const headers = { authorization: `Bearer ${KEY}` };
const HOLD_SECONDS = 3;

before(async () => {
  ctx = await e2eContext({
    env: {
      API_KEYS: KEY,
      COMMISSION_HOLD_DAYS: String(HOLD_SECONDS / 86400),
      COMMISSION_AUTO_APPROVE_MAX_MINOR: '5000000',
      COMMISSION_CLAWBACK_WINDOW_DAYS: '1',
    },
  });
  ({ stack, temporal, db } = ctx);
});
after(async () => {
  await ctx?.stop();
});

const api = (path: string) => `${stack.apiUrl}/api/v1${path}`;
const post = (path: string, body: unknown) => http('POST', api(path), { headers, body, timeoutMs: 120_000 });
const get = (path: string) => http('GET', api(path), { headers });
let seq = 0;
const period = new Date().toISOString().slice(0, 7);

async function affiliate(over: Record<string, unknown> = {}) {
  const res = await post('/affiliates', {
    name: 'María González',
    email: `maria${++seq}@example.com`,
    phone: '+57 300 123 4567',
    document: { type: 'cedula', number: '1234567890' },
    tier: 'premium',
    currency: 'COP',
    commission: { base_percent: 15, premium_percent: 20, minimum_payout: '50000' },
    bank: { bank: 'Banco Nacional', account_type: 'ahorros', account_number: '9876543210' },
    ...over,
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function campaign(over: Record<string, unknown> = {}) {
  const res = await post('/campaigns', {
    name: `Black Friday ${++seq}`,
    starts_at: new Date(Date.now() - 86_400_000).toISOString(),
    ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    budget: '500000',
    currency: 'COP',
    channels: ['web', 'email'],
    commission: { conversion_percent: 15, sale_percent: 15 },
    status: 'active',
    ...over,
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

function conversion(af: string, camp: string, value: string | number, over: Record<string, unknown> = {}) {
  return post('/conversions', { external_id: `ext-${++seq}-${Date.now()}`, affiliate_id: af, campaign_id: camp, type: 'venta', value, currency: 'COP', channel: 'web', ...over });
}

async function commissionStatus(id: string, status: string, timeoutMs = 60000) {
  let last: any;
  await waitFor(
    `commission ${id} ${status}`,
    async () => {
      last = (await get(`/commissions/${id}`)).body;
      if (last?.status !== status) throw new Error(`is ${last?.status}`);
    },
    { timeoutMs },
  );
  return last;
}

test('affiliates: bank data encrypted at rest and masked; campaigns; bad conversions are 422 with the reason', async () => {
  const af = await affiliate();
  assert.deepEqual(af.bank, { bank: 'Banco Nacional', account_type: 'ahorros', account_number: '******3210' });
  assert.equal(af.document.number, '******7890');
  const raw = JSON.stringify(await db.collection('affiliates').findOne({ _id: af.affiliate_id }));
  assert.ok(!raw.includes('9876543210') && !raw.includes('Banco Nacional'), 'no bank data in clear at rest');
  assert.equal((await http('GET', api(`/affiliates/${af.affiliate_id}`))).status, 401);

  const camp = await campaign();
  assert.deepEqual(camp.commission, { conversion_percent: 15, sale_percent: 15 });
  const unknownAffiliate = await conversion('af_nope', camp.campaign_id, '1000');
  assert.deepEqual([unknownAffiliate.status, unknownAffiliate.body.error.field], [422, 'affiliate_id']);
  const unknownCampaign = await conversion(af.affiliate_id, 'camp_nope', '1000');
  assert.deepEqual([unknownCampaign.status, unknownCampaign.body.error.field], [422, 'campaign_id']);
  const ended = await campaign({ starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-02-01T00:00:00Z' });
  const outside = await conversion(af.affiliate_id, ended.campaign_id, '1000');
  assert.deepEqual([outside.status, outside.body.error.code], [422, 'campaign_not_live']);
  assert.match(outside.body.error.message, /ended/);
  const inactive = await affiliate();
  assert.equal((await http('DELETE', api(`/affiliates/${inactive.affiliate_id}`), { headers })).body.status, 'inactive');
  const byInactive = await conversion(inactive.affiliate_id, camp.campaign_id, '1000');
  assert.deepEqual([byInactive.status, byInactive.body.error.code], [422, 'inactive_affiliate']);
  const events = await get(`/events?type=afiliado_creado&affiliate=${af.affiliate_id}`);
  assert.equal(events.body.items[0].datos.tipo_afiliado, 'premium');
});

test('conversion → commission held, auto-approved, payable → payout batch CSV → confirmed paid; a duplicate is one commission', async () => {
  const af = await affiliate({ commission: { base_percent: 15, premium_percent: 20, minimum_payout: '30000' } });
  const camp = await campaign();
  const external = `order-ext-${Date.now()}`;
  const first = await conversion(af.affiliate_id, camp.campaign_id, '250000', { external_id: external });
  assert.equal(first.status, 201);
  const again = await conversion(af.affiliate_id, camp.campaign_id, '250000', { external_id: external });
  assert.deepEqual([again.status, again.body.duplicate, again.body.conversion_id], [200, true, first.body.conversion_id]);
  const id = first.body.commission.commission_id;
  const payable = await commissionStatus(id, 'payable');
  assert.deepEqual([payable.amount, payable.percent, payable.decision.automatic], ['37500', 15, true]);
  assert.ok(Date.parse(payable.hold_until) - Date.parse(first.body.created_at) >= HOLD_SECONDS * 1000 - 50, 'it was held first');
  const listed = [];
  for await (const wf of temporal.workflow.list({ query: `AffiliateId = "${af.affiliate_id}" AND CommissionStatus = "payable"` })) listed.push(wf.workflowId);
  assert.deepEqual(listed, [`commission-${first.body.conversion_id}`]);
  assert.equal(await db.collection('commissions').countDocuments({ conversionId: first.body.conversion_id }), 1);

  const batch = await post('/payouts/run', { period });
  assert.equal(batch.status, 200, batch.text);
  const mine = batch.body.payouts.find((p: any) => p.affiliateId === af.affiliate_id);
  assert.equal(mine.amountMinor, 37_500);
  const csv = await http('GET', api(`/payouts/batches/${period}.csv`), { headers });
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  const line = csv.text.split('\n').find((l) => l.includes(af.affiliate_id))!;
  assert.match(line, new RegExp(`^po_${period}_${af.affiliate_id}_COP,${period},${af.affiliate_id},María González,.*,COP,37500,37500,1,\\*{6}3210,pending$`));
  const rerun = await post('/payouts/run', { period });
  assert.ok(!rerun.body.payouts.some((p: any) => p.affiliateId === af.affiliate_id), 'a rerun pays nobody twice');

  const confirmed = await post(`/payouts/${mine.payoutId}/confirm`, { reference: 'TRX-001' });
  assert.equal(confirmed.body.status, 'paid');
  assert.equal((await get(`/commissions/${id}`)).body.status !== undefined, true);
  assert.equal((await db.collection('commissions').findOne({ _id: id }))?.status, 'paid');
  const types = (await get(`/events?affiliate=${af.affiliate_id}`)).body.items.map((e: any) => e.tipo_evento);
  for (const t of ['afiliado_creado', 'conversion_registrada', 'comision_creada', 'comision_calculada', 'comision_aprobada', 'comision_pagable', 'pago_generado', 'pago_confirmado']) assert.ok(types.includes(t), `event ${t}`);
});

test('a refund inside the hold voids; a refund after payout claws back with a negative entry', async () => {
  const af = await affiliate({ commission: { base_percent: 15, premium_percent: 20, minimum_payout: '1' } });
  const camp = await campaign();
  const inHold = await conversion(af.affiliate_id, camp.campaign_id, '100000');
  assert.equal((await post(`/conversions/${inHold.body.conversion_id}/refund`, { reason: 'devolución' })).status, 202);
  await commissionStatus(inHold.body.commission.commission_id, 'voided');

  const later = await conversion(af.affiliate_id, camp.campaign_id, '200000');
  const id = later.body.commission.commission_id;
  await commissionStatus(id, 'payable');
  const batch = await post('/payouts/run', { period });
  const payout = batch.body.payouts.find((p: any) => p.affiliateId === af.affiliate_id);
  assert.equal(payout.amountMinor, 30_000);
  await post(`/payouts/${payout.payoutId}/confirm`, {});
  await post(`/conversions/${later.body.conversion_id}/refund`, { reason: 'contracargo' });
  await commissionStatus(id, 'clawed_back');
  const entries = await db.collection('commission_ledger').find({ commissionId: id }).sort({ at: 1 }).toArray();
  assert.deepEqual(entries.map((e) => [e.kind, e.amountMinor, e.payoutId ?? null]), [
    ['payable', 30_000, payout.payoutId],
    ['clawback', -30_000, null],
  ]);
  const next = await post('/payouts/run', { period: '2099-01' });
  assert.ok(next.body.below_minimum.some((b: any) => b.affiliateId === af.affiliate_id && b.balanceMinor === -30_000), 'the clawback is owed back, not paid');
});

test('above the auto-approval threshold an admin decides; approving twice is 409', async () => {
  const af = await affiliate();
  const camp = await campaign();
  const big = await conversion(af.affiliate_id, camp.campaign_id, '40000000'); // 15 % = 6 000 000 > 5 000 000
  const id = big.body.commission.commission_id;
  await commissionStatus(id, 'pending_approval');
  const approved = await post(`/commissions/${id}/approve`, { comment: 'revisado' });
  assert.equal(approved.status, 200);
  await commissionStatus(id, 'payable');
  const twice = await post(`/commissions/${id}/approve`, {});
  assert.deepEqual([twice.status, twice.body.error.code], [409, 'not_pending_approval']);
});

test('a paid order carrying an affiliate code becomes a conversion and a commission', async () => {
  const af = await affiliate({ code: `AF-ORDER-${Date.now()}`, currency: 'ARS', commission: { base_percent: 10, premium_percent: 12.5, minimum_payout: '100.00' } });
  await campaign({ currency: 'ARS', budget: '100000.00', commission: { sale_percent: 10 } });
  await http('POST', api('/products'), { headers, body: { sku: 'AFF-SKU', name: 'Termo', price: '1999.99', currency: 'ARS', stock: 5 } });
  const reg = await http('POST', `${stack.apiUrl}/auth/register`, { body: { email: `buyer${Date.now()}@example.com`, password: 'buyer-password-1', name: 'Buyer' } });
  const customer = { authorization: `Bearer ${reg.body.access_token}` };
  const order = await http('POST', api('/orders'), { headers: customer, body: { items: [{ sku: 'AFF-SKU', quantity: 2 }], shipping_address: { street: 'x 1', city: 'Mendoza', postal_code: 'M5500', country: 'AR' }, affiliate_code: af.code } });
  assert.equal(order.status, 202, order.text);
  await sandboxAdmin(stack.sandboxUrl).payPreference(order.body.payment.preference_id);
  let conv: any;
  await waitFor('the order conversion', async () => {
    conv = (await get(`/conversions?affiliate=${af.affiliate_id}`)).body.items[0];
    if (!conv) throw new Error('none yet');
  });
  assert.deepEqual([conv.order_number, conv.value, conv.currency, conv.type], [order.body.order_number, '3999.98', 'ARS', 'venta']);
  const payable = await commissionStatus(conv.commission.commission_id, 'payable');
  assert.equal(payable.amount, '400.00'); // 10 % of 3999.98 = 399.998 → 400.00
});

test('the monthly payout Schedule exists after start-up and its run produces the batch', async () => {
  const handle = temporal.schedule.getHandle('commission-payout-monthly');
  const d = await handle.describe();
  assert.equal(d.action.type, 'startWorkflow');
  assert.equal((d.action as any).workflowType, 'commissionPayoutBatch');
  assert.equal(d.spec.timezone, 'America/Argentina/Buenos_Aires');
  assert.match(d.state.note ?? '', /^spec:/);
  await handle.trigger();
  await waitFor('the scheduled batch to run', async () => {
    const runs = (await handle.describe()).info.recentActions;
    if (runs.length === 0) throw new Error('not yet');
    const result = await temporal.workflow.getHandle(runs[0].action.workflow.workflowId, runs[0].action.workflow.firstExecutionRunId).result();
    assert.match(result.period, /^\d{4}-\d{2}$/);
  });
});

test('1,000 conversions: the report totals are exact to the cent', { timeout: 600_000 }, async () => {
  const af = await affiliate({ currency: 'ARS', tier: 'base', commission: { base_percent: 12.5, premium_percent: 20, minimum_payout: '1.00' } });
  const camp = await campaign({ currency: 'ARS', budget: '100000000.00', commission: {} });
  // Deterministic values with cents; the expected total is computed here independently (BigInt).
  let x = 12345;
  const values = Array.from({ length: 1000 }, () => (x = (x * 1103515245 + 12345) % 2147483648) % 10_000_000 + 1);
  const expected = values.reduce((sum, v) => sum + (BigInt(v) * 1250n + 5000n) / 10000n, 0n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < values.length; i = next++) {
        const v = values[i];
        const value = `${Math.floor(v / 100)}.${String(v % 100).padStart(2, '0')}`;
        let res = await conversion(af.affiliate_id, camp.campaign_id, value, { currency: 'ARS', external_id: `bulk-${i}` });
        // As an integration would: a 503 names when to try again; the external id keeps it one conversion.
        for (let t = 0; res.status === 503 && t < 5; t++) {
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
          res = await conversion(af.affiliate_id, camp.campaign_id, value, { currency: 'ARS', external_id: `bulk-${i}` });
        }
        assert.ok(res.status === 201 || res.status === 200, res.text);
      }
    }),
  );
  await waitFor(
    '1,000 commissions payable',
    async () => {
      const n = await db.collection('commissions').countDocuments({ affiliateId: af.affiliate_id, status: 'payable' });
      if (process.env.PAGOSFLOW_TEST_PROGRESS) console.log(`${new Date().toISOString()} ${n} payable`);
      if (n !== 1000) throw new Error(`${n} payable`);
    },
    { timeoutMs: 540_000, intervalMs: 2000 },
  );
  const report = await get('/commissions/reports?period=1d&format=json');
  const row = report.body.rows.find((r: any) => r.affiliate_id === af.affiliate_id);
  assert.equal(row.commissions, 1000);
  assert.equal(BigInt(row.earned_minor), expected);
  assert.equal(row.earned, `${expected / 100n}.${String(expected % 100n).padStart(2, '0')}`);
  const csv = await http('GET', api('/commissions/reports?period=1d&format=csv'), { headers });
  assert.ok(csv.text.split('\n').some((l) => l.startsWith(`${af.affiliate_id},${camp.campaign_id},ARS,1000,${row.earned},`)));
});
