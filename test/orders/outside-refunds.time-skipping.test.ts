/**
 * Money that moves outside the order, on the time-skipping server: the running order acting once
 * on a panel refund however often it is told, then closing after its late-payment window; and
 * `closedOrderPayments` refunding a delivered order's duplicate once, flagging an unknown order,
 * and closing after an hour of quiet. Activities are in-memory doubles.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  CLOSED_ORDER_PAYMENTS_IDLE_MS,
  checkoutUpdate,
  closedOrderPaymentsQuery,
  closedOrderPaymentsWorkflow,
  closedOrderPaymentsWorkflowId,
  orderCheckoutWorkflow,
  type OrderInput,
  orderStateQuery,
  type OrderView,
  type PaymentUpdate,
  paymentUpdatedSignal,
} from '../../contracts/orders';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const MIN = 60_000;

const input = (orderNumber: string): OrderInput => ({
  orderNumber,
  customer: { id: 'u-1', email: 'ana@example.com', name: 'Ana García' },
  items: [{ sku: 'MATE', name: 'Mate', quantity: 2, unitPriceMinor: 500_00, lineTotalMinor: 1000_00 }],
  currency: 'ARS',
  totalMinor: 1000_00,
  shippingAddress: { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' },
  affiliateCode: 'AFF-1',
  createdAt: '2026-11-22T10:00:00.000Z',
  paymentTimeoutMs: 30 * MIN,
  latePaymentWindowMs: 72 * 60 * MIN,
  crm: { pipelineId: 'p', paidTag: 'pedido-pagado', cancelledTag: 'pedido-cancelado' },
});

const update = (paymentId: string, status: string, at: string, amountRefunded = 0): PaymentUpdate => ({ paymentId, status, amount: 1000, amountRefunded, currency: 'ARS', dateLastUpdated: at });

function doubles(stored: OrderView | null = null) {
  const log: string[] = [];
  const refunds: { paymentId: string; reason: string }[] = [];
  const mails: string[] = [];
  const written: OrderView[] = [];
  const restocked = new Set<string>();
  const activities = {
    reserveStock: async () => ({ applied: true, version: 0, available: 0, reserved: 0 }),
    releaseStock: async () => ({ applied: true, version: 0, available: 0, reserved: 0 }),
    commitStock: async () => ({ applied: true, version: 0, available: 0, reserved: 0 }),
    async restockItem(i: { orderNumber: string; sku: string }) {
      if (!restocked.has(`${i.orderNumber}:${i.sku}`)) log.push(`restock:${i.sku}`);
      restocked.add(`${i.orderNumber}:${i.sku}`);
      return { applied: true, version: 0, available: 0, reserved: 0 };
    },
    async recordOrder(v: OrderView) {
      written.push(v);
    },
    async loadOrder() {
      return stored;
    },
    async recordUnmatchedPayment() {
      log.push('recordUnmatchedPayment');
      return { firstSeen: true };
    },
    async recordAffiliateAttribution() {
      return { recorded: true };
    },
    async voidAffiliateAttribution() {
      log.push('voidAffiliateAttribution');
    },
    async recordAlert(a: { dedupKey: string }) {
      log.push(`alert:${a.dedupKey}`);
    },
    async resolveAlert() {},
    async createCheckoutPreference() {
      return { preferenceId: 'pref', initPoint: 'https://mp.example/x' };
    },
    async refundMercadoPagoPayment(i: { paymentId: string; reason: string }) {
      refunds.push(i);
      return { refundId: 7, amount: 1000, alreadyRefunded: false };
    },
    async syncOrderOpportunity() {
      return { contactId: 'c-1', opportunityId: 'o-1' };
    },
    async tagCrmContact(i: { tags: string[] }) {
      return { tags: i.tags };
    },
    async sendOrderEmail(i: { kind: string }) {
      mails.push(i.kind);
      return { messageId: 'm', accepted: ['ana@example.com'] };
    },
  };
  return { activities, log, refunds, mails, written };
}

test('a panel refund told three times: the running order is refunded, restocked, commission voided, one email — then closes after the late window', async () => {
  const d = doubles();
  await runWithWorkers(env, 'outside-running', d.activities, async () => {
    const h = await env.client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'outside-running', workflowId: 'order-OUT-1', args: [input('OUT-1')] });
    await h.executeUpdate(checkoutUpdate);
    await h.signal(paymentUpdatedSignal, update('500', 'approved', '2026-11-22T10:05:00.000Z'));
    await env.sleep(MIN);
    assert.equal((await h.query(orderStateQuery)).status, 'confirmed');

    const refunded = update('500', 'refunded', '2026-11-23T09:00:00.000Z', 1000);
    for (let i = 0; i < 3; i++) await h.signal(paymentUpdatedSignal, refunded);
    await env.sleep(MIN);
    const s = await h.query(orderStateQuery);
    assert.equal(s.status, 'refunded');
    assert.deepEqual([s.payment?.reversal?.kind, s.payment?.reversal?.refundedMinor, s.payment?.reversal?.restocked], ['refunded', 1000_00, true]);
    assert.deepEqual(d.refunds, [], 'not refunded again by us');
    assert.deepEqual(d.mails, ['confirmed', 'refunded']);
    assert.deepEqual(d.log.filter((x) => x === 'restock:MATE' || x === 'voidAffiliateAttribution'), ['restock:MATE', 'voidAffiliateAttribution']);
    assert.equal(s.timeline.filter((t) => t.event === 'order_refunded').length, 1);

    await env.sleep(71 * 60 * MIN);
    assert.equal((await h.describe()).status.name, 'RUNNING', 'listens for late payments for the window');
    await env.sleep(2 * 60 * MIN);
    assert.equal((await h.result()).status, 'refunded');
  });
});

const delivered = (): OrderView => ({
  orderNumber: 'DLV-1',
  workflowId: 'order-DLV-1',
  status: 'delivered',
  customer: { id: 'u-1', email: 'ana@example.com' },
  items: [{ sku: 'MATE', name: 'Mate', quantity: 2, unitPriceMinor: 500_00, lineTotalMinor: 1000_00 }],
  currency: 'ARS',
  totalMinor: 1000_00,
  shippingAddress: { street: 'x', city: 'y', postal_code: 'z', country: 'AR' },
  payment: { paymentId: '500', status: 'paid', refunds: [] },
  pendingEffects: [],
  failedSteps: [],
  manualRetries: 0,
  timeline: [],
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  revision: 9,
});

async function signalClosed(taskQueue: string, orderNumber: string, u: PaymentUpdate) {
  return env.client.workflow.signalWithStart<WorkflowOf<typeof closedOrderPaymentsWorkflow>, [PaymentUpdate]>(closedOrderPaymentsWorkflow.type, {
    taskQueue,
    workflowId: closedOrderPaymentsWorkflowId(orderNumber),
    args: [{ orderNumber, idleMs: CLOSED_ORDER_PAYMENTS_IDLE_MS }],
    signal: paymentUpdatedSignal,
    signalArgs: [u],
  });
}

test('closed delivered order: a duplicate payment is refunded once (duplicate_payment), our refund’s notification changes nothing, it closes after an hour of quiet', async () => {
  const d = doubles(delivered());
  await runWithWorkers(env, 'outside-closed', d.activities, async () => {
    const dup = update('600', 'approved', '2026-11-26T10:00:00.000Z');
    const h = await signalClosed('outside-closed', 'DLV-1', dup);
    await signalClosed('outside-closed', 'DLV-1', dup);
    await env.sleep(MIN);
    assert.deepEqual(d.refunds, [{ paymentId: '600', reason: 'duplicate_payment' }]);
    await signalClosed('outside-closed', 'DLV-1', update('600', 'refunded', '2026-11-26T10:02:00.000Z', 1000));
    await env.sleep(MIN);
    const state = await h.query(closedOrderPaymentsQuery);
    assert.deepEqual(state.decisions.map((x) => [x.paymentId, x.status, x.outcome]), [['600', 'approved', 'refunded'], ['600', 'refunded', 'ours']]);
    const last = d.written.at(-1)!;
    assert.equal(last.status, 'delivered');
    assert.ok(last.revision > 9, 'written ahead of the closed execution');
    assert.deepEqual(last.payment?.refunds.map((r) => [r.paymentId, r.reason, r.status]), [['600', 'duplicate_payment', 'refunded']]);
    assert.deepEqual(d.mails, []);

    // The hour of quiet counts from the last notification (about 2 min in): at 59 min, still open.
    await env.sleep(57 * MIN);
    assert.equal((await h.describe()).status.name, 'RUNNING');
    await env.sleep(4 * MIN);
    const done = await h.result();
    assert.equal(done.decisions.length, 2);
    assert.deepEqual(d.refunds.length, 1);
  });
});

test('closed delivered order refunded from the panel: refunded, no restock (goods with the customer), commission voided, one email', async () => {
  const d = doubles({ ...delivered(), orderNumber: 'DLV-2', affiliateCode: 'AFF-1' });
  await runWithWorkers(env, 'outside-closed-2', d.activities, async () => {
    const u = update('500', 'refunded', '2026-12-01T10:00:00.000Z', 1000);
    const h = await signalClosed('outside-closed-2', 'DLV-2', u);
    await signalClosed('outside-closed-2', 'DLV-2', u);
    await env.sleep(2 * 60 * MIN);
    const done = await h.result();
    assert.deepEqual(done.decisions.map((x) => x.outcome), ['reversal_applied']);
    assert.deepEqual(d.mails, ['refunded']);
    assert.deepEqual(d.log, ['voidAffiliateAttribution']);
    const last = d.written.at(-1)!;
    assert.deepEqual([last.status, last.payment?.reversal?.stage, last.payment?.reversal?.restocked], ['refunded', 'delivered', false]);
  });
});

test('unknown order: an approved payment is flagged (record + alert), never refunded', async () => {
  const d = doubles(null);
  await runWithWorkers(env, 'outside-unknown', d.activities, async () => {
    const h = await signalClosed('outside-unknown', 'NOPE-1', update('700', 'approved', '2026-12-01T10:00:00.000Z'));
    await env.sleep(2 * 60 * MIN);
    const done = await h.result();
    assert.equal(done.orderFound, false);
    assert.deepEqual(done.decisions.map((x) => x.outcome), ['flagged_unknown_order']);
    assert.deepEqual(d.log, ['recordUnmatchedPayment', 'alert:unmatched-payment:700']);
    assert.deepEqual(d.refunds, []);
  });
});
