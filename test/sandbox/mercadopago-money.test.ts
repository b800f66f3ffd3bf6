/**
 * The sandbox's MercadoPago money story: our API refunds (partial, to the cent), refunds from the
 * panel, chargebacks and mediations, each announced by signed notifications, and the drop switch.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { newPayment } from '../../sandbox/mercadopago';
import { startReceiver, startSandbox } from './helpers';

let sbx: Awaited<ReturnType<typeof startSandbox>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let admin: ReturnType<typeof sandboxAdmin>;
before(async () => {
  sbx = await startSandbox();
  rx = await startReceiver();
  admin = sandboxAdmin(sbx.base);
});
after(async () => {
  await sbx.close();
  await rx.close();
});
beforeEach(() => {
  sbx.state.reset();
  rx.received.length = 0;
});

const refund = (id: number | string, key: string, body: unknown = {}) =>
  sbx.mp(`/v1/payments/${id}/refunds`, { method: 'POST', headers: { 'x-idempotency-key': key }, body: JSON.stringify(body) });
const getPayment = async (id: number | string) => (await (await sbx.mp(`/v1/payments/${id}`)).json()) as any;

test('our partial refunds add up to the cent; the last one makes it refunded/refunded', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 100.3 });
  const amounts = [0.1, 0.2, 33.33, 33.33];
  for (const [i, amount] of amounts.entries()) {
    const res = await refund(p.id, `k-${i}`, { amount });
    assert.equal(res.status, 201);
    const r = (await res.json()) as any;
    assert.equal(r.amount, amount);
    assert.equal(r.payment_id, p.id);
    assert.deepEqual(r.source, { id: '123456789', name: 'Vendedor Sandbox', type: 'collector' });
    assert.equal(r.status, 'approved');
    assert.equal(r.refund_mode, 'standard');
  }
  let got = await getPayment(p.id);
  assert.equal(got.transaction_amount_refunded, 66.96); // 0.1 + 0.2 + 33.33 + 33.33, no float drift
  assert.equal(got.status, 'approved');
  assert.equal(got.status_detail, 'partially_refunded');
  assert.equal(new Set(got.refunds.map((r: any) => r.id)).size, 4);

  const over = await refund(p.id, 'k-over', { amount: 33.35 });
  assert.equal(over.status, 400);
  const rest = (await (await refund(p.id, 'k-rest')).json()) as any; // no amount: what remains
  assert.equal(rest.amount, 33.34);
  got = await getPayment(p.id);
  assert.equal(got.transaction_amount_refunded, 100.3);
  assert.equal(got.status, 'refunded');
  assert.equal(got.status_detail, 'refunded');
  const list = (await (await sbx.mp(`/v1/payments/${p.id}/refunds`)).json()) as any[];
  assert.equal(list.length, 5);
  const one = (await (await sbx.mp(`/v1/payments/${p.id}/refunds/${rest.id}`)).json()) as any;
  assert.deepEqual(one, rest);
});

test('refund errors in MercadoPago shape; one idempotency key, one refund', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 50 });
  const noKey = await sbx.mp(`/v1/payments/${p.id}/refunds`, { method: 'POST', body: '{}' });
  assert.equal(noKey.status, 400);
  assert.equal(((await noKey.json()) as any).cause[0].code, 4292);
  assert.equal(((await (await refund(p.id, 'a', { amount: -1 })).json()) as any).cause[0].code, 4040);
  assert.equal(((await (await refund(p.id, 'b', { amount: 'ten' })).json()) as any).cause[0].code, 4041);
  assert.equal((await refund(p.id, 'c', { amount: 1.234 })).status, 400);
  const missing = await refund(999, 'd');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as any).cause[0].code, 2000);
  const first = (await (await refund(p.id, 'same', { amount: 5 })).json()) as any;
  const again = (await (await refund(p.id, 'same', { amount: 5 })).json()) as any;
  assert.equal(again.id, first.id);
  assert.equal((await getPayment(p.id)).transaction_amount_refunded, 5);
  const pending = newPayment(sbx.state, { status: 'pending' });
  const r = await refund(pending.id, 'e');
  assert.equal(r.status, 400);
  assert.equal(((await r.json()) as any).cause[0].code, 2063);
});

test('a refund from the panel: its own id, source collector, payment.updated signed to the notification_url', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 80, notification_url: rx.url });
  const before = p.date_last_updated;
  const r = await admin.refundFromDashboard(p.id, { amount: 20.05 });
  assert.equal(r.refund.amount, 20.05);
  assert.equal(r.refund.source.type, 'collector');
  assert.equal(r.payment.status_detail, 'partially_refunded');
  assert.ok(r.payment.date_last_updated > before);
  assert.equal(rx.received.length, 1);
  const n = rx.received[0];
  assert.equal(n.signatureValid, true);
  assert.equal(n.query.get('type'), 'payment');
  assert.equal(n.query.get('data.id'), String(p.id));
  assert.equal(n.body.action, 'payment.updated');
  assert.equal(n.body.type, 'payment');
  assert.equal(n.body.data.id, String(p.id));

  const byAdmin = await admin.refundFromDashboard(p.id, { source: 'admin' });
  assert.equal(byAdmin.refund.amount, 59.95);
  assert.equal(byAdmin.refund.source.type, 'admin');
  assert.equal(byAdmin.payment.status, 'refunded');
  assert.equal(byAdmin.payment.status_detail, 'by_admin');
  assert.equal(byAdmin.payment.transaction_amount_refunded, 80);
  assert.equal(rx.received.length, 2);
});

test('without notification_url the application Webhooks URL gets it; notify=false is silent', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 10 });
  assert.deepEqual((await admin.refundFromDashboard(p.id, { amount: 1 })).notifications, []); // nowhere to send
  await admin.setNotificationUrl(rx.url);
  await admin.refundFromDashboard(p.id, { amount: 1 });
  await admin.refundFromDashboard(p.id, { amount: 1, notify: false });
  assert.equal(rx.received.length, 1);
  assert.equal((await getPayment(p.id)).transaction_amount_refunded, 3);
});

test('a chargeback: payment charged_back, GET /v1/chargebacks/{id}, payment and chargebacks notifications; resolution', async () => {
  await admin.setNotificationUrl(rx.url);
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 1234.56, currency_id: 'ARS' });
  await admin.refundFromDashboard(p.id, { amount: 34.56, notify: false });
  const r = await admin.chargeback(p.id);
  assert.equal(r.payment.status, 'charged_back');
  assert.equal(r.payment.status_detail, 'in_process');
  assert.equal(r.chargeback.amount, 1200); // what had not been refunded
  const cb = (await (await sbx.mp(`/v1/chargebacks/${r.chargeback.id}`)).json()) as any;
  assert.equal(cb.id, r.chargeback.id);
  assert.deepEqual(cb.payments, [p.id]);
  assert.equal(cb.currency, 'ARS');
  assert.equal(cb.amount, 1200);
  for (const k of ['coverage_applied', 'coverage_elegible', 'documentation_required', 'documentation_status', 'documentation', 'date_documentation_deadline', 'date_created', 'date_last_updated', 'live_mode']) assert.ok(k in cb, k);

  assert.equal(rx.received.length, 2);
  const [pay, chb] = rx.received;
  assert.equal(pay.body.action, 'payment.updated');
  assert.equal(chb.query.get('type'), 'topic_chargebacks_wh');
  assert.equal(chb.query.get('data.id'), r.chargeback.id);
  assert.equal(chb.body.type, 'topic_chargebacks_wh');
  assert.deepEqual(chb.body.actions, ['changed_case_status']);
  assert.equal(chb.body.data.id, Number(r.chargeback.id));
  assert.equal(chb.body.data.payment_id, p.id);
  assert.ok(pay.signatureValid && chb.signatureValid);

  const settled = await admin.resolveChargeback(r.chargeback.id, 'settled');
  assert.equal(settled.payment!.status, 'charged_back');
  assert.equal(settled.payment!.status_detail, 'settled');
  assert.equal(settled.chargeback.coverage_applied, false);
  assert.ok(settled.chargeback.date_last_updated > r.chargeback.date_last_updated);
  assert.equal(rx.received.length, 4);
  assert.equal((await (await sbx.mp('/v1/chargebacks/nope')).json() as any).status, 404);

  const q = newPayment(sbx.state, { status: 'approved', transaction_amount: 10 });
  const c2 = await admin.chargeback(q.id, { amount: 4.5, notify: false });
  assert.equal((await admin.resolveChargeback(c2.chargeback.id, 'reimbursed', { notify: false })).payment!.status_detail, 'reimbursed');
  assert.equal((await admin.chargebacks(q.id)).length, 1);
});

test('a mediation: in_mediation, then for the seller (approved) or the buyer (refunded by_admin)', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 99.99, notification_url: rx.url });
  assert.equal((await admin.openMediation(p.id)).payment.status, 'in_mediation');
  assert.equal((await refund(p.id, 'during')).status, 400); // the API cannot refund it meanwhile
  assert.equal((await admin.resolveMediation(p.id, 'seller')).payment.status_detail, 'accredited');
  await admin.openMediation(p.id);
  const lost = await admin.resolveMediation(p.id, 'buyer');
  assert.equal(lost.payment.status, 'refunded');
  assert.equal(lost.payment.status_detail, 'by_admin');
  assert.equal(lost.refund!.amount, 99.99);
  assert.equal(lost.refund!.source.type, 'admin');
  assert.equal(rx.received.length, 4);
  assert.ok(rx.received.every((n) => n.body.action === 'payment.updated' && n.signatureValid));
});

test('drop switch: the next N are lost and listed; seeded probability is repeatable; explicit sendWebhook never drops', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 100, notification_url: rx.url });
  await admin.dropWebhooks({ dropNext: 2 });
  for (let i = 0; i < 3; i++) await admin.refundFromDashboard(p.id, { amount: 1 });
  assert.equal(rx.received.length, 1);
  const dropped = await admin.notifications({ dropped: true });
  assert.equal(dropped.count, 2);
  assert.ok(dropped.notifications.every((n) => n.dropReason === 'drop-next' && n.dataId === String(p.id)));
  assert.equal((await admin.notifications()).count, 3);

  const run = async () => {
    sbx.state.reset();
    rx.received.length = 0;
    const q = newPayment(sbx.state, { status: 'approved', transaction_amount: 100, notification_url: rx.url });
    await admin.dropWebhooks({ probability: 0.5, seed: 42 });
    for (let i = 0; i < 20; i++) await admin.refundFromDashboard(q.id, { amount: 1 });
    const list = await admin.notifications();
    assert.equal(rx.received.length, 20 - list.dropped);
    return list.notifications.map((n) => n.dropped);
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.some((x) => x) && a.some((x) => !x));

  await admin.dropWebhooks({ probability: 1 });
  const sent = await admin.sendWebhook({ url: rx.url, paymentId: p.id });
  assert.equal(sent.status, 200);
  await admin.clearWebhookDrops();
  const q = newPayment(sbx.state, { status: 'approved', transaction_amount: 5, notification_url: rx.url });
  const before = rx.received.length;
  await admin.refundFromDashboard(q.id);
  assert.equal(rx.received.length, before + 1);
});

test('paying a preference notifies through the drop switch; a dropped one leaves webhook null', async () => {
  const pref = await (await sbx.mp('/checkout/preferences', { method: 'POST', headers: { 'x-idempotency-key': 'p1' }, body: JSON.stringify({ items: [{ title: 'x', quantity: 3, unit_price: 0.1, currency_id: 'ARS' }], external_reference: 'ORD-9', notification_url: rx.url }) })).json() as any;
  await admin.dropWebhooks({ dropNext: 1 });
  const paid = await admin.payPreference(pref.id);
  assert.equal(paid.payment.transaction_amount, 0.3);
  assert.equal(paid.webhook, null);
  assert.equal(paid.notification!.dropped, true);
  const again = await admin.payPreference(pref.id);
  assert.equal(again.webhook!.status, 200);
  assert.equal(rx.received[0].body.action, 'payment.created');
  assert.equal((await getPayment(again.payment.id)).notification_url, rx.url);
});

test('a receiver that is down is recorded, not a sandbox error', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 5, notification_url: 'http://127.0.0.1:9/nowhere' });
  const r = await admin.refundFromDashboard(p.id);
  assert.equal(r.payment.status, 'refunded');
  assert.equal(r.notifications.length, 1);
  assert.ok(r.notifications[0].error);
  assert.equal(r.notifications[0].dropped, false);
});
