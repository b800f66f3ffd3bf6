/**
 * Money truth on the running stack: a payment refunded in part from MercadoPago's panel and
 * another charged back reach the projection (each refund by its id, `outside`) and the realtime
 * figures net of them, however many times MercadoPago notifies — equal to the sandbox's own sums
 * to the minor unit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let admin: ReturnType<typeof sandboxAdmin>;
const KEY = 'net-revenue-api-key-00001';
const auth = { authorization: `Bearer ${KEY}` };

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY } });
  ({ stack } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
  await admin.setNotificationUrl(`${stack.apiUrl}/webhooks/mercadopago`);
});
after(async () => {
  await ctx?.stop();
});

const stored = async (id: number) => (await http('GET', `${stack.apiUrl}/api/v1/payments?limit=100`, { headers: auth })).body.items.find((p: any) => p.paymentId === String(id));

test('a panel refund (notified three times) and a chargeback: the projection keeps each once, the realtime figures are net to the minor unit', async () => {
  const webhookUrl = `${stack.apiUrl}/webhooks/mercadopago`;
  const a = await admin.createPayment({ status: 'approved', transaction_amount: 1000.1, currency_id: 'ARS', payer: { email: 'net-a@example.com' } });
  const b = await admin.createPayment({ status: 'approved', transaction_amount: 300, currency_id: 'ARS', payer: { email: 'net-b@example.com' } });
  for (const p of [a, b]) assert.equal((await admin.sendWebhook({ url: webhookUrl, paymentId: p.id })).status, 200);
  await waitFor('both approved', async () => {
    for (const p of [a, b]) if ((await stored(p.id))?.status !== 'approved') throw new Error('not yet');
  });

  const refunded = await admin.refundFromDashboard(a.id, { amount: 250.05 });
  assert.ok(refunded.notifications.length > 0, 'the panel refund notified us');
  // MercadoPago redelivers: the same state twice more.
  for (let i = 0; i < 2; i++) assert.equal((await admin.sendWebhook({ url: webhookUrl, paymentId: a.id })).status, 200);
  const chargedBack = await admin.chargeback(b.id);
  await waitFor('the refund and the chargeback stored', async () => {
    const [pa, pb] = [await stored(a.id), await stored(b.id)];
    if (pa?.refunds?.length !== 1 || pb?.status !== 'charged_back') throw new Error(`${pa?.refunds?.length} refunds, ${pb?.status}`);
  });
  const pa = await stored(a.id);
  assert.equal(pa.statusDetail, 'partially_refunded');
  assert.deepEqual([pa.amountMinor, pa.refundedMinor, pa.netMinor], [100010, 25005, 75005]);
  assert.equal(pa.refunds[0].refundId, String(refunded.refund.id));
  assert.equal(pa.refunds[0].initiatedBy, 'outside');
  const pb = await stored(b.id);
  assert.deepEqual([pb.chargedBackMinor, pb.netMinor], [30000, 0]);

  await waitFor('the realtime figures', async () => {
    const f = (await http('GET', `${stack.apiUrl}/api/v1/dashboard/metrics/realtime`, { headers: auth })).body.data;
    assert.deepEqual(f.processed_today, { ARS: 1300.1 });
    assert.deepEqual(f.refunded_today, { ARS: 250.05 });
    assert.deepEqual(f.charged_back_today, { ARS: 300 });
    assert.deepEqual(f.net_processed_today, { ARS: 750.05 });
  });
  // The sandbox's own sums: what MercadoPago says stayed with us.
  const sandboxNet = [refunded.payment, chargedBack.payment].reduce((n, p: any) => n + (p.status === 'charged_back' ? 0 : Math.round(p.transaction_amount * 100) - Math.round((p.transaction_amount_refunded ?? 0) * 100)), 0);
  assert.equal(sandboxNet, 75005);
});

test('the chargebacks topic alone (its payment notification lost) moves the payment to charged_back and the figures net of it', async () => {
  const webhookUrl = `${stack.apiUrl}/webhooks/mercadopago`;
  const c = await admin.createPayment({ status: 'approved', transaction_amount: 45.5, currency_id: 'BRL', payer: { email: 'net-c@example.com' } });
  assert.equal((await admin.sendWebhook({ url: webhookUrl, paymentId: c.id })).status, 200);
  await waitFor('approved', async () => {
    if ((await stored(c.id))?.status !== 'approved') throw new Error('not yet');
  });
  await admin.dropWebhooks({ dropNext: 1 });
  const cb = await admin.chargeback(c.id);
  const dropped = (await admin.notifications({ dropped: true, dataId: c.id })).notifications;
  assert.deepEqual(dropped.map((d: any) => d.topic), ['payment'], 'the payment notification was the one lost');
  await waitFor('charged back through the chargebacks topic', async () => {
    if ((await stored(c.id))?.status !== 'charged_back') throw new Error('not yet');
  });
  await waitFor('the chargeback notification processed', async () => {
    const events = (await http('GET', `${stack.apiUrl}/api/v1/webhook-events?type=topic_chargebacks_wh`, { headers: auth })).body.items;
    const ours = events.find((e: any) => e.resourceId === String(cb.chargeback.id));
    if (ours?.status !== 'succeeded') throw new Error(`event ${ours?.status}`);
    assert.equal(ours.paymentStatus, 'charged_back');
  });
  await waitFor('the realtime figures', async () => {
    const f = (await http('GET', `${stack.apiUrl}/api/v1/dashboard/metrics/realtime`, { headers: auth })).body.data;
    assert.deepEqual([f.processed_today.BRL, f.charged_back_today.BRL, f.net_processed_today.BRL], [45.5, 45.5, 0]);
  });
});
