import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createAlertActivities } from '../../domain/ops/alerts';
import type { createEmailActivities } from '../../activities/email/activities';
import type { OrderEmailKind } from '../../domain/orders/order-emails';
import type { createGoHighLevelActivities } from '../../activities/gohighlevel/activities';
import type { createMercadoPagoActivities } from '../../activities/mercadopago/activities';
import type { createOrderStoreActivities } from '../../domain/orders/order-store';
import type { createStockActivities } from '../../domain/catalog/stock';
import type { OrderStatusName } from '../../domain/persistence/models/order';
import { isCurrency, minorToProviderNumber, MoneyError, toMinorUnits } from '../../common/money';
import { OrderStatus } from '../../contracts/search-attributes';
import { EffectLanes } from '../shared/effect-lanes';
import {
  emailActivity,
  goHighLevelActivity,
  mercadoPagoActivity,
  mercadoPagoCheckoutActivity,
  mongoActivity,
  mongoProjectionActivity,
} from '../retry-policies';
import {
  CANCELLABLE,
  CHECKOUT_FAILURES,
  INVALID_TRANSITION,
  NEXT_FULFILLMENT,
  cancelOrderUpdate,
  checkoutUpdate,
  fulfillmentUpdate,
  orderStateQuery,
  paymentUpdatedSignal,
  type CancelRequest,
  type CheckoutResult,
  type OrderInput,
  type OrderItem,
  type OrderView,
  type PaymentUpdate,
  type RefundRecord,
  type Shortage,
} from '../../contracts/orders';

type MercadoPago = ReturnType<typeof createMercadoPagoActivities>;
const checkoutMp = proxyActivities<MercadoPago>(mercadoPagoCheckoutActivity);
const mp = proxyActivities<MercadoPago>(mercadoPagoActivity);
const crm = proxyActivities<ReturnType<typeof createGoHighLevelActivities>>(goHighLevelActivity);
const email = proxyActivities<ReturnType<typeof createEmailActivities>>(emailActivity);
const reserving = proxyActivities<ReturnType<typeof createStockActivities>>(mongoActivity);
// Releasing, committing and restocking must happen however long MongoDB is away.
const stock = proxyActivities<ReturnType<typeof createStockActivities>>(mongoProjectionActivity);
const store = proxyActivities<ReturnType<typeof createOrderStoreActivities>>(mongoProjectionActivity);
const alerts = proxyActivities<ReturnType<typeof createAlertActivities>>(mongoProjectionActivity);

const FAILED_PAYMENT_STATUSES = new Set(['rejected', 'cancelled']);

/**
 * One order, from checkout to delivery: reserve stock item by item (each reservation with its
 * release as compensation) → create the MercadoPago preference → wait for the payment (signal from
 * the webhook pipeline) up to the payment timeout → approved: commit stock, confirm, then CRM and
 * email as retryable side effects; rejected or timed out: release stock and cancel. It then lives on
 * through fulfillment (validated updates) and refunds any payment that should not have happened:
 * one arriving after cancellation, or a second one for an already paid order.
 */
export async function orderCheckout(input: OrderInput): Promise<OrderView> {
  const { orderNumber } = input;
  const now = () => new Date().toISOString();
  const state: OrderView = {
    orderNumber,
    workflowId: workflowInfo().workflowId,
    status: 'created',
    customer: input.customer,
    items: input.items,
    currency: input.currency,
    totalMinor: input.totalMinor,
    shippingAddress: input.shippingAddress,
    ...(input.affiliateCode ? { affiliateCode: input.affiliateCode } : {}),
    pendingEffects: [],
    failedSteps: [],
    manualRetries: 0,
    timeline: [],
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    revision: 0,
  };

  const lanes = new EffectLanes(['payments', 'crm', 'email'] as const, {
    async onFailed(step, error) {
      state.failedSteps.push({ step, error, at: now() });
      note('step_failed', { step, error });
      await persist();
      await alerts.recordAlert({
        dedupKey: `order-step-failed:${orderNumber}`,
        rule: 'order_step_failed',
        severity: 'high',
        message: `Order ${orderNumber} failed at ${step}: ${error}`,
        source: state.workflowId,
        details: { orderNumber, step },
      });
    },
    async onRetrying(step) {
      state.failedSteps = state.failedSteps.filter((f) => f.step !== step);
      state.manualRetries = lanes.manualRetries;
      note('step_retried', { step });
      await persist();
      if (state.failedSteps.length === 0) await alerts.resolveAlert({ dedupKey: `order-step-failed:${orderNumber}` });
    },
  });

  function note(event: string, detail?: Record<string, unknown>) {
    state.timeline.push({ at: now(), event, status: state.status, ...(detail ? { detail } : {}) });
  }
  function setStatus(status: OrderStatusName, event: string, detail?: Record<string, unknown>) {
    state.status = status;
    upsertSearchAttributes([{ key: OrderStatus, value: status }]);
    note(event, detail);
  }
  async function persist() {
    state.updatedAt = now();
    state.revision++;
    state.pendingEffects = lanes.pending();
    await store.recordOrder({ ...state, timeline: [...state.timeline] });
  }

  // ---- Payments, as the webhook pipeline reports them --------------------------------------------
  const payments = new Map<string, PaymentUpdate>();
  const refunds = new Map<string, RefundRecord>();
  let cancelRequest: CancelRequest | undefined;

  const amountMatches = (p: PaymentUpdate) => {
    try {
      return p.currency === input.currency && isCurrency(p.currency) && toMinorUnits(p.amount, p.currency) === input.totalMinor;
    } catch (err) {
      if (err instanceof MoneyError) return false;
      throw err;
    }
  };

  /** Once the order's payment is decided, every other approved payment is given back. */
  let decided = false;

  setHandler(paymentUpdatedSignal, (u) => {
    // Redeliveries and out-of-order updates: only a newer state of a payment counts.
    const prev = payments.get(u.paymentId);
    if (prev && prev.dateLastUpdated >= u.dateLastUpdated) return;
    payments.set(u.paymentId, u);
    note('payment_update', { paymentId: u.paymentId, status: u.status });
    if (u.paymentId === state.payment?.paymentId && (u.status === 'refunded' || u.status === 'charged_back')) {
      // Reversed at MercadoPago (a refund from its panel, a chargeback): recorded; what to do with the
      // goods is a person's decision.
      state.payment.status = 'refunded';
      note('payment_reversed', { paymentId: u.paymentId, status: u.status });
    }
    if (decided) refundIfUnwanted(u);
  });
  function refundIfUnwanted(p: PaymentUpdate) {
    if (p.status !== 'approved' || p.paymentId === state.payment?.paymentId || refunds.has(p.paymentId)) return;
    const reason: RefundRecord['reason'] = !amountMatches(p)
      ? 'amount_mismatch'
      : state.status === 'cancelled'
        ? 'late_payment'
        : 'duplicate_payment';
    refundPayment(p.paymentId, reason);
  }

  function refundPayment(paymentId: string, reason: RefundRecord['reason'], then?: () => void) {
    const record: RefundRecord = { paymentId, reason, status: 'pending' };
    refunds.set(paymentId, record);
    state.payment?.refunds.push(record);
    note('refund_requested', { paymentId, reason });
    lanes.enqueue('payments', `refundPayment:${paymentId}`, async () => {
      const r = await mp.refundMercadoPagoPayment({ paymentId, reason });
      record.status = 'refunded';
      record.amount = r.amount;
      if (r.refundId !== undefined) record.refundId = r.refundId;
      note('payment_refunded', { paymentId, amount: r.amount, reason });
      then?.();
      await persist();
    });
  }

  // ---- Updates and queries -----------------------------------------------------------------------
  setHandler(orderStateQuery, () => ({ ...state, pendingEffects: lanes.pending() }));

  setHandler(checkoutUpdate, async (): Promise<CheckoutResult> => {
    await condition(() => state.status !== 'created');
    if (state.status === 'rejected' && state.rejection) {
      const type = {
        insufficient_stock: CHECKOUT_FAILURES.insufficientStock,
        payment_provider_unavailable: CHECKOUT_FAILURES.providerUnavailable,
        stock_unavailable: CHECKOUT_FAILURES.stockUnavailable,
      }[state.rejection.reason];
      throw ApplicationFailure.create({ type, message: state.rejection.message, details: [state.rejection], nonRetryable: true });
    }
    return {
      orderNumber,
      status: state.status,
      currency: state.currency,
      totalMinor: state.totalMinor,
      ...(state.payment ? { payment: { preferenceId: state.payment.preferenceId, initPoint: state.payment.initPoint, sandboxInitPoint: state.payment.sandboxInitPoint } } : {}),
    };
  });

  setHandler(
    fulfillmentUpdate,
    async (req) => {
      setStatus(req.status, `order_${req.status}`, { by: req.by, ...(req.trackingNumber ? { trackingNumber: req.trackingNumber } : {}) });
      if (req.status === 'shipped') {
        state.trackingNumber = req.trackingNumber;
        sendEmail('shipped');
      }
      await persist();
      return { ...state, pendingEffects: lanes.pending() };
    },
    {
      validator: (req) => {
        const next = NEXT_FULFILLMENT[state.status];
        if (next !== req.status) {
          throw ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: `order ${orderNumber} is ${state.status}; ${next ? `the next status is ${next}` : 'it cannot move on'}, not ${req.status}`,
            details: [{ current: state.status, requested: req.status, allowed: next ? [next, ...(CANCELLABLE.includes(state.status) ? ['cancelled'] : [])] : [] }],
          });
        }
        if (req.status === 'shipped' && !req.trackingNumber) {
          throw ApplicationFailure.create({ type: 'TrackingNumberRequired', message: 'shipping needs a tracking number', details: [{ field: 'tracking_number' }] });
        }
      },
    },
  );

  setHandler(
    cancelOrderUpdate,
    async (req) => {
      if (state.status === 'awaiting_payment') {
        // The main flow decides, so a payment approved at the same moment is settled exactly once
        // (paid, then cancelled with a refund).
        cancelRequest = req;
        await condition(() => state.status === 'cancelled');
      } else {
        cancelPaidOrder(req);
      }
      await persist();
      return { ...state, pendingEffects: lanes.pending() };
    },
    {
      validator: (_req: CancelRequest) => {
        if (!CANCELLABLE.includes(state.status)) {
          throw ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: `order ${orderNumber} is ${state.status} and can no longer be cancelled`,
            details: [{ current: state.status, requested: 'cancelled', allowed: NEXT_FULFILLMENT[state.status] ? [NEXT_FULFILLMENT[state.status]] : [] }],
          });
        }
      },
    },
  );

  // ---- Side effects -----------------------------------------------------------------------------
  function sendEmail(kind: OrderEmailKind, extra: { refundedMinor?: number; reason?: string } = {}) {
    lanes.enqueue('email', `sendOrderEmail:${kind}`, async () => {
      await email.sendOrderEmail({
        kind,
        orderNumber,
        to: input.customer.email,
        customerName: input.customer.name,
        currency: input.currency,
        totalMinor: input.totalMinor,
        items: input.items,
        trackingNumber: state.trackingNumber,
        ...extra,
      });
      note('email_sent', { kind });
      await persist();
    });
  }

  function syncCrm(status: 'won' | 'lost', tag: string) {
    let contactId = '';
    lanes.enqueue('crm', `syncOrderOpportunity:${status}`, async () => {
      const r = await crm.syncOrderOpportunity({
        email: input.customer.email,
        name: input.customer.name,
        orderNumber,
        status,
        monetaryValue: minorToProviderNumber(input.totalMinor, input.currency),
        pipelineId: input.crm.pipelineId,
      });
      contactId = r.contactId;
      note('crm_synced', { opportunity: status });
    });
    lanes.enqueue('crm', `tagCrmContact:${tag}`, async () => {
      await crm.tagCrmContact({ contactId, tags: [tag] });
      await persist();
    });
  }

  function cancelPaidOrder(req: CancelRequest) {
    setStatus('cancelled', 'order_cancelled', { reason: req.reason, by: req.by });
    state.cancellation = { reason: req.reason, by: req.by, at: now() };
    const paymentId = state.payment!.paymentId!;
    refundPayment(paymentId, 'order_cancelled', () => {
      state.payment!.status = 'refunded';
      // Restock and tell the customer only once the money is back.
      lanes.enqueue('payments', 'restockItems', async () => {
        for (const item of input.items) await stock.restockItem({ orderNumber, sku: item.sku, quantity: item.quantity });
        note('stock_restocked');
        await persist();
      });
      sendEmail('cancelled', { refundedMinor: input.totalMinor });
    });
    syncCrm('lost', input.crm.cancelledTag);
    if (input.affiliateCode) lanes.enqueue('payments', 'voidAffiliateAttribution', () => store.voidAffiliateAttribution({ orderNumber }));
  }

  async function releaseAll(items: OrderItem[]) {
    for (const item of [...items].reverse()) await stock.releaseStock({ orderNumber, sku: item.sku, quantity: item.quantity });
  }

  async function finish(): Promise<OrderView> {
    await lanes.close();
    await condition(allHandlersFinished);
    await persist();
    return state;
  }

  // ---- The saga ---------------------------------------------------------------------------------
  note('order_created');
  await persist();

  const reserved: OrderItem[] = [];
  const shortages: Shortage[] = [];
  try {
    for (const item of input.items) {
      const r = await reserving.reserveStock({ orderNumber, sku: item.sku, quantity: item.quantity });
      if (r.applied) reserved.push(item);
      else shortages.push({ sku: item.sku, requested: item.quantity, available: r.available });
    }
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await releaseAll(reserved);
    state.rejection = { reason: 'stock_unavailable', message: 'stock could not be reserved right now; try again' };
    setStatus('rejected', 'order_rejected', { reason: 'stock_unavailable' });
    return finish();
  }
  if (shortages.length > 0) {
    await releaseAll(reserved);
    state.rejection = { reason: 'insufficient_stock', message: `not enough stock for ${shortages.map((s) => s.sku).join(', ')}`, shortages };
    setStatus('rejected', 'order_rejected', { reason: 'insufficient_stock', shortages });
    return finish();
  }
  note('stock_reserved', { items: reserved.map((i) => ({ sku: i.sku, quantity: i.quantity })) });

  try {
    const pref = await checkoutMp.createCheckoutPreference({
      orderNumber,
      currency: input.currency,
      items: input.items,
      payerEmail: input.customer.email,
      payerName: input.customer.name,
      notificationUrl: input.notificationUrl,
      expiresAt: new Date(Date.parse(input.createdAt) + input.paymentTimeoutMs).toISOString(),
    });
    state.payment = { preferenceId: pref.preferenceId, initPoint: pref.initPoint, sandboxInitPoint: pref.sandboxInitPoint, status: 'awaiting', refunds: [] };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await releaseAll(reserved);
    state.rejection = { reason: 'payment_provider_unavailable', message: `MercadoPago is unavailable: ${err.cause?.message ?? err.message}` };
    setStatus('rejected', 'order_rejected', { reason: 'payment_provider_unavailable' });
    return finish();
  }
  setStatus('awaiting_payment', 'payment_link_created', { preferenceId: state.payment.preferenceId });
  await persist();

  // A payment may have been reported before the preference step finished: it is in `payments` already.
  const approved = () => [...payments.values()].find((p) => p.status === 'approved' && amountMatches(p));
  const failed = () => [...payments.values()].find((p) => FAILED_PAYMENT_STATUSES.has(p.status));
  const settled = await condition(() => approved() !== undefined || failed() !== undefined || cancelRequest !== undefined, input.paymentTimeoutMs);
  const paidWith = approved();

  if (paidWith) {
    decided = true;
    state.payment.paymentId = paidWith.paymentId;
    state.payment.status = 'paid';
    state.payment.paidAt = now();
    for (const item of input.items) await stock.commitStock({ orderNumber, sku: item.sku, quantity: item.quantity });
    setStatus('confirmed', 'payment_approved', { paymentId: paidWith.paymentId });
    for (const p of payments.values()) refundIfUnwanted(p);
    if (input.affiliateCode) {
      const affiliateCode = input.affiliateCode;
      lanes.enqueue('payments', 'recordAffiliateAttribution', async () => {
        await store.recordAffiliateAttribution({ orderNumber, affiliateCode, customerEmail: input.customer.email, amountMinor: input.totalMinor, currency: input.currency, paymentId: paidWith.paymentId });
        note('affiliate_attributed', { affiliateCode });
      });
    }
    syncCrm('won', input.crm.paidTag);
    sendEmail('confirmed');
    // If the customer asked to cancel in the same instant, the payment won: cancel it as paid.
    if (cancelRequest) cancelPaidOrder(cancelRequest);
    // Recorded with its side effects already queued, so no reader sees "confirmed, nothing pending" early.
    await persist();
  } else {
    const reason = cancelRequest ? cancelRequest.reason : settled ? `payment_${failed()!.status}` : 'payment_timeout';
    const by = cancelRequest ? cancelRequest.by : 'system';
    await releaseAll(input.items);
    state.payment.status = 'failed';
    state.cancellation = { reason, by, at: now() };
    setStatus('cancelled', 'order_cancelled', { reason, by });
    decided = true;
    for (const p of payments.values()) refundIfUnwanted(p);
    sendEmail('cancelled', { reason });
    await persist();
  }

  // Fulfillment (by updates) until delivered or cancelled.
  await condition(() => state.status === 'delivered' || state.status === 'cancelled');
  if (state.status === 'cancelled') {
    // Keep listening for late payments (cash and bank methods approve days later), then close.
    await condition(() => false, input.latePaymentWindowMs);
  }
  return finish();
}
