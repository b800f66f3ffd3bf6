/**
 * The order saga's timers and compensations on the time-skipping server: a 30-minute payment
 * timeout and a 72-hour late-payment window run in seconds. Activities are in-memory doubles of
 * the I/O (stock, MercadoPago, CRM, mail); the real ones run in the integration and e2e tests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cancelOrderUpdate, checkoutUpdate, fulfillmentUpdate, orderCheckoutWorkflow, type OrderInput, orderStateQuery, type PaymentUpdate, paymentUpdatedSignal } from '../../contracts/orders';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const MIN = 60_000;

function orderInput(orderNumber: string, over: Partial<OrderInput> = {}): OrderInput {
  return {
    orderNumber,
    customer: { id: 'u-1', email: 'ana@example.com', name: 'Ana García' },
    items: [
      { sku: 'MATE', name: 'Mate de calabaza', quantity: 2, unitPriceMinor: 1250_00, lineTotalMinor: 2500_00 },
      { sku: 'YERBA', name: 'Yerba 1 kg', quantity: 1, unitPriceMinor: 899_99, lineTotalMinor: 899_99 },
    ],
    currency: 'ARS',
    totalMinor: 3399_99,
    shippingAddress: { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' },
    createdAt: '2026-11-22T10:00:00.000Z',
    paymentTimeoutMs: 30 * MIN,
    latePaymentWindowMs: 72 * 60 * MIN,
    crm: { pipelineId: 'p', paidTag: 'pedido-pagado', cancelledTag: 'pedido-cancelado' },
    ...over,
  };
}

const payment = (id: string, status: string, at: string, amount = 3399.99): PaymentUpdate => ({ paymentId: id, status, amount, currency: 'ARS', dateLastUpdated: at });

/** In-memory doubles with a real stock model: available/reserved per sku, changes keyed by opKey. */
function doubles(initialStock: Record<string, number> = { MATE: 10, YERBA: 10 }) {
  const stock = new Map(Object.entries(initialStock).map(([sku, n]) => [sku, { available: n, reserved: 0 }]));
  const applied = new Set<string>();
  const calls: string[] = [];
  const refunds: string[] = [];
  const mails: string[] = [];
  const control = { preferenceGate: Promise.resolve(), crmFailures: 0 };
  const change = (kind: 'reserve' | 'release' | 'commit' | 'restock') => async (i: { orderNumber: string; sku: string; quantity: number }) => {
    const s = stock.get(i.sku)!;
    const key = `${i.orderNumber}:${i.sku}:${kind}`;
    calls.push(`${kind}:${i.sku}`);
    if (applied.has(key)) return { applied: true as const, version: 0, ...s };
    if (kind === 'reserve' && s.available < i.quantity) return { applied: false as const, reason: 'insufficient_stock' as const, ...s };
    applied.add(key);
    if (kind === 'reserve') (s.available -= i.quantity), (s.reserved += i.quantity);
    if (kind === 'release') (s.available += i.quantity), (s.reserved -= i.quantity);
    if (kind === 'commit') s.reserved -= i.quantity;
    if (kind === 'restock') s.available += i.quantity;
    return { applied: true as const, version: 0, ...s };
  };
  const activities = {
    reserveStock: change('reserve'),
    releaseStock: change('release'),
    commitStock: change('commit'),
    restockItem: change('restock'),
    async recordOrder() {},
    async recordAffiliateAttribution() {
      calls.push('recordAffiliateAttribution');
      return { recorded: true };
    },
    async voidAffiliateAttribution() {
      calls.push('voidAffiliateAttribution');
    },
    async recordAlert() {
      calls.push('recordAlert');
    },
    async resolveAlert() {
      calls.push('resolveAlert');
    },
    async createCheckoutPreference(i: { orderNumber: string }) {
      await control.preferenceGate;
      calls.push('createCheckoutPreference');
      return { preferenceId: `pref-${i.orderNumber}`, initPoint: `https://mp.example/${i.orderNumber}` };
    },
    async refundMercadoPagoPayment(i: { paymentId: string }) {
      refunds.push(i.paymentId);
      return { refundId: 1, amount: 3399.99, alreadyRefunded: false };
    },
    async syncOrderOpportunity(i: { status: string }) {
      calls.push(`crm:${i.status}`);
      if (control.crmFailures > 0) {
        control.crmFailures--;
        throw ApplicationFailure.nonRetryable('GoHighLevel 401: Invalid JWT', 'ProviderRejected');
      }
      return { contactId: 'c-1', opportunityId: 'o-1' };
    },
    async tagCrmContact(i: { tags: string[] }) {
      calls.push(`tag:${i.tags[0]}`);
      return { tags: i.tags };
    },
    async sendOrderEmail(i: { kind: string }) {
      mails.push(i.kind);
      return { messageId: 'm', accepted: ['ana@example.com'] };
    },
  };
  return { activities, stock, calls, refunds, mails, control };
}

/** The ApplicationFailure an update was rejected or failed with. */
async function rejection(update: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await update.then(
    () => assert.fail('the update was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure);
  return err.cause;
}

const started: WorkflowHandle[] = [];

/**
 * Runs a test with a worker for its queue. Orders still open at the end are terminated: time
 * skipping is server-wide, and an open order whose worker is gone would stall the next test's clock.
 */
async function withWorker<T>(taskQueue: string, activities: object, run: () => Promise<T>): Promise<T> {
  try {
    return await runWithWorkers(env, taskQueue, activities, run);
  } finally {
    for (const h of started.splice(0)) await h.terminate('test finished').catch(() => undefined);
  }
}

async function startOrder(taskQueue: string, input: OrderInput) {
  const handle = await env.client.workflow.start(orderCheckoutWorkflow.type, { taskQueue, workflowId: `order-${input.orderNumber}`, args: [input] });
  started.push(handle);
  return handle;
}

test('no payment within 30 minutes: stock released, order cancelled, customer told', async () => {
  const d = doubles();
  await withWorker('orders-timeout', d.activities, async () => {
    const h = await startOrder('orders-timeout', orderInput('T-1'));
    const checkout = await h.executeUpdate(checkoutUpdate);
    assert.equal(checkout.status, 'awaiting_payment');
    assert.equal(checkout.payment?.initPoint, 'https://mp.example/T-1');
    assert.deepEqual(d.stock.get('MATE'), { available: 8, reserved: 2 });

    await env.sleep(29 * MIN);
    assert.equal((await h.query(orderStateQuery)).status, 'awaiting_payment', 'not before the timeout');
    await env.sleep(2 * MIN);
    const s = await h.query(orderStateQuery);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.cancellation?.reason, 'payment_timeout');
    assert.deepEqual(d.stock.get('MATE'), { available: 10, reserved: 0 });
    assert.deepEqual(d.stock.get('YERBA'), { available: 10, reserved: 0 });
    assert.deepEqual(d.mails, ['cancelled']);
    assert.deepEqual(d.refunds, []);
  });
});

test('a payment approved after cancellation is refunded once; the order closes after the late window', async () => {
  const d = doubles();
  await withWorker('orders-late', d.activities, async () => {
    const h = await startOrder('orders-late', orderInput('L-1'));
    await h.executeUpdate(checkoutUpdate);
    await env.sleep(31 * MIN);
    assert.equal((await h.query(orderStateQuery)).status, 'cancelled');

    const late = payment('9001', 'approved', '2026-11-22T11:00:00.000Z');
    await h.signal(paymentUpdatedSignal, late);
    await h.signal(paymentUpdatedSignal, late); // redelivery
    await env.sleep(MIN);
    assert.deepEqual(d.refunds, ['9001']);
    const s = await h.query(orderStateQuery);
    assert.equal(s.status, 'cancelled', 'a late payment does not revive the order');
    assert.deepEqual(s.payment?.refunds.map((r) => [r.paymentId, r.reason, r.status]), [['9001', 'late_payment', 'refunded']]);
    assert.deepEqual(d.calls.filter((c) => c.startsWith('commit')), [], 'stock of a cancelled order is never committed');

    await env.sleep(72 * 60 * MIN);
    const done = await h.result();
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(d.refunds, ['9001']);
  });
});

test('approved payment → confirmed; a second payment is refunded; fulfillment moves one step at a time', async () => {
  const d = doubles();
  await withWorker('orders-happy', d.activities, async () => {
    const h = await startOrder('orders-happy', orderInput('H-1', { affiliateCode: 'AFF-7' }));
    await h.executeUpdate(checkoutUpdate);
    await h.signal(paymentUpdatedSignal, payment('100', 'pending', '2026-11-22T10:01:00.000Z'));
    await h.signal(paymentUpdatedSignal, payment('100', 'approved', '2026-11-22T10:02:00.000Z'));
    // An out-of-order older update for the same payment is ignored.
    await h.signal(paymentUpdatedSignal, payment('100', 'pending', '2026-11-22T10:01:00.000Z'));
    await env.sleep(MIN);
    let s = await h.query(orderStateQuery);
    assert.equal(s.status, 'confirmed');
    assert.equal(s.payment?.paymentId, '100');
    assert.deepEqual(d.stock.get('MATE'), { available: 8, reserved: 0 }, 'committed: sold, not reserved');
    assert.ok(d.calls.includes('crm:won') && d.calls.includes('tag:pedido-pagado') && d.calls.includes('recordAffiliateAttribution'));
    assert.deepEqual(d.mails, ['confirmed']);

    await h.signal(paymentUpdatedSignal, payment('101', 'approved', '2026-11-22T10:03:00.000Z'));
    await env.sleep(MIN);
    assert.deepEqual(d.refunds, ['101'], 'a second capture is given back');

    await assert.rejects(h.executeUpdate(fulfillmentUpdate, { args: [{ status: 'shipped', trackingNumber: 'X', by: 'admin' }] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.equal((err.cause as ApplicationFailure).type, 'InvalidTransition');
      assert.equal(((err.cause as ApplicationFailure).details?.[0] as { current: string }).current, 'confirmed');
      return true;
    });
    await h.executeUpdate(fulfillmentUpdate, { args: [{ status: 'processing', by: 'admin' }] });
    assert.match((await rejection(h.executeUpdate(fulfillmentUpdate, { args: [{ status: 'shipped', by: 'admin' }] }))).message, /tracking number/);
    s = await h.executeUpdate(fulfillmentUpdate, { args: [{ status: 'shipped', trackingNumber: 'AR-123', by: 'admin' }] });
    assert.equal(s.trackingNumber, 'AR-123');
    assert.match((await rejection(h.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'too late', by: 'customer' }] }))).message, /can no longer be cancelled/);
    await h.executeUpdate(fulfillmentUpdate, { args: [{ status: 'delivered', by: 'admin' }] });
    const done = await h.result();
    assert.equal(done.status, 'delivered');
    assert.deepEqual(d.mails, ['confirmed', 'shipped']);
    assert.deepEqual(done.timeline.map((t: { event: string }) => t.event).filter((e: string) => e.startsWith('order_')), ['order_created', 'order_processing', 'order_shipped', 'order_delivered']);
  });
});

test('cancel after payment: refund, then restock and email; CRM marks the opportunity lost', async () => {
  const d = doubles();
  await withWorker('orders-cancel', d.activities, async () => {
    const h = await startOrder('orders-cancel', orderInput('C-1', { affiliateCode: 'AFF-1' }));
    await h.executeUpdate(checkoutUpdate);
    await h.signal(paymentUpdatedSignal, payment('200', 'approved', '2026-11-22T10:02:00.000Z'));
    await env.sleep(MIN);
    const s = await h.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'changed my mind', by: 'customer:ana@example.com' }] });
    assert.equal(s.status, 'cancelled');
    await env.sleep(MIN);
    assert.deepEqual(d.refunds, ['200']);
    assert.deepEqual(d.stock.get('MATE'), { available: 10, reserved: 0 }, 'restocked');
    assert.ok(d.calls.includes('crm:lost') && d.calls.includes('tag:pedido-cancelado') && d.calls.includes('voidAffiliateAttribution'));
    assert.deepEqual(d.mails, ['confirmed', 'cancelled']);
    const after = await h.query(orderStateQuery);
    assert.equal(after.payment?.status, 'refunded');
    assert.deepEqual(after.pendingEffects, []);
  });
});

test('not enough stock: the checkout update fails listing the items, reserved items are released', async () => {
  const d = doubles({ MATE: 10, YERBA: 0 });
  await withWorker('orders-stock', d.activities, async () => {
    const h = await startOrder('orders-stock', orderInput('S-1'));
    await assert.rejects(h.executeUpdate(checkoutUpdate), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      const cause = err.cause as ApplicationFailure;
      assert.equal(cause.type, 'InsufficientStock');
      assert.deepEqual((cause.details?.[0] as { shortages: unknown }).shortages, [{ sku: 'YERBA', requested: 1, available: 0 }]);
      return true;
    });
    const done = await h.result();
    assert.equal(done.status, 'rejected');
    assert.deepEqual(d.stock.get('MATE'), { available: 10, reserved: 0 }, 'compensated');
    assert.ok(!d.calls.includes('createCheckoutPreference'));
  });
});

test('a payment reported before the preference step finished confirms the order as soon as it can', async () => {
  const d = doubles();
  let open!: () => void;
  d.control.preferenceGate = new Promise((r) => (open = r));
  await withWorker('orders-early', d.activities, async () => {
    const h = await startOrder('orders-early', orderInput('E-1'));
    await h.signal(paymentUpdatedSignal, payment('300', 'approved', '2026-11-22T10:00:30.000Z'));
    open();
    const checkout = await h.executeUpdate(checkoutUpdate);
    assert.ok(['awaiting_payment', 'confirmed'].includes(checkout.status));
    await env.sleep(MIN);
    const s = await h.query(orderStateQuery);
    assert.equal(s.status, 'confirmed');
    assert.equal(s.payment?.paymentId, '300');
  });
});

test('CRM rejecting after payment: the order stays confirmed, the step waits for a manual retry, then completes', async () => {
  const d = doubles();
  d.control.crmFailures = 1;
  await withWorker('orders-crm', d.activities, async () => {
    const h = await startOrder('orders-crm', orderInput('R-1'));
    await h.executeUpdate(checkoutUpdate);
    await h.signal(paymentUpdatedSignal, payment('400', 'approved', '2026-11-22T10:02:00.000Z'));
    await env.sleep(MIN);
    let s = await h.query(orderStateQuery);
    assert.equal(s.status, 'confirmed');
    assert.deepEqual(s.failedSteps.map((f) => f.step), ['syncOrderOpportunity:won']);
    assert.deepEqual(d.mails, ['confirmed'], 'mail is not held back by the CRM');
    assert.ok(d.calls.includes('recordAlert'));
    await h.signal('retry');
    await env.sleep(MIN);
    s = await h.query(orderStateQuery);
    assert.deepEqual(s.failedSteps, []);
    assert.equal(s.manualRetries, 1);
    assert.ok(d.calls.includes('tag:pedido-pagado'));
    assert.ok(d.calls.includes('resolveAlert'));
  });
});
