import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { stageOf } from '../../domain/orders/payment-reversals';
import { CHECKOUT_FAILURES, FINAL_ORDER_STATUSES, checkoutUpdate, orderStateQuery, type CheckoutResult, type OrderInput, type OrderView, type Shortage } from '../../contracts/orders';
import { EffectLanes } from '../shared/effect-lanes';
import { Compensations } from './compensations';
import { cancelPaidOrder, handleFulfilment, type OrderSaga } from './fulfilment';
import { preferenceItems } from '../../domain/orders/coupons';
import { alerts, checkoutMp, couponClaim, coupons, localReserving, reserving, stock, store } from './order-activities';
import { OrderEffects } from './order-effects';
import { OrderPayments } from './order-payments';
import { now, OrderRecord } from './order-record';
import { ORDER_LANES } from './order-saga';

/**
 * One order, from checkout to delivery: reserve stock item by item (each reservation pushes its
 * release on the compensation stack) → create the MercadoPago preference → wait for the payment
 * (signal from the webhook pipeline) up to the payment timeout → approved: commit stock, confirm,
 * then CRM and email as retryable side effects; rejected or timed out: unwind the stack and cancel.
 * It then lives on through fulfilment (./fulfilment.ts) and refunds any payment that should not
 * have happened (./order-payments.ts).
 */
export async function orderCheckout(input: OrderInput): Promise<OrderView> {
  const { orderNumber } = input;
  const record = new OrderRecord(input);
  const { state } = record;
  const alertKey = `order-step-failed:${orderNumber}`;

  const lanes = new EffectLanes(ORDER_LANES, {
    async onFailed(step, error) {
      state.failedSteps.push({ step, error, at: now() });
      record.note('step_failed', { step, error });
      await record.persist();
      await alerts.recordAlert({ dedupKey: alertKey, rule: 'order_step_failed', severity: 'high', message: `Order ${orderNumber} failed at ${step}: ${error}`, source: state.workflowId, details: { orderNumber, step } });
    },
    async onRetrying(step) {
      state.failedSteps = state.failedSteps.filter((f) => f.step !== step);
      state.manualRetries = lanes.manualRetries;
      record.note('step_retried', { step });
      await record.persist();
      if (state.failedSteps.length === 0) await alerts.resolveAlert({ dedupKey: alertKey });
    },
  });
  record.pendingEffects = () => lanes.pending();
  const saga: OrderSaga = { input, record, lanes } as OrderSaga;
  saga.payments = new OrderPayments(saga);
  saga.effects = new OrderEffects(saga);
  const { payments, effects } = saga;

  let answerAfterRecord = false;
  let rejectionRecorded = false;
  setHandler(orderStateQuery, () => record.view());
  setHandler(checkoutUpdate, async (): Promise<CheckoutResult> => {
    // A refusal is answered once it is recorded: a 409 is never followed by a moment in which the
    // refused order still shows as `created` in the customer's list (patched: recorded histories
    // answered at once).
    await condition(() => state.status !== 'created' && (state.status !== 'rejected' || rejectionRecorded || !answerAfterRecord));
    if (state.status === 'rejected' && state.rejection) {
      const type = { insufficient_stock: CHECKOUT_FAILURES.insufficientStock, payment_provider_unavailable: CHECKOUT_FAILURES.providerUnavailable, stock_unavailable: CHECKOUT_FAILURES.stockUnavailable, coupon_refused: CHECKOUT_FAILURES.couponRefused }[state.rejection.reason];
      throw ApplicationFailure.create({ type, message: state.rejection.message, details: [state.rejection], nonRetryable: true });
    }
    const payment = state.payment && { preferenceId: state.payment.preferenceId, initPoint: state.payment.initPoint, sandboxInitPoint: state.payment.sandboxInitPoint };
    return { orderNumber, status: state.status, currency: state.currency, totalMinor: state.totalMinor, ...(payment ? { payment } : {}) };
  });
  handleFulfilment(saga);

  async function finish(): Promise<OrderView> {
    await lanes.close();
    await condition(allHandlersFinished);
    await record.persist();
    return state;
  }
  async function reject(rejection: NonNullable<OrderView['rejection']>, detail: Record<string, unknown> = {}): Promise<OrderView> {
    await compensations.unwind();
    state.rejection = rejection;
    answerAfterRecord = patched('refusal-answered-once-recorded');
    record.setStatus('rejected', 'order_rejected', { reason: rejection.reason, ...detail });
    if (answerAfterRecord) {
      await record.persist();
      rejectionRecorded = true;
    }
    return finish();
  }

  // ---- Checkout: reserve, then the payment link -------------------------------------------------
  // The order's first record and its reservations run as local activities: the customer's answer
  // waits on one workflow task and the payment link, not on three (patched: earlier executions).
  const checkoutLocally = patched('checkout-local-writes');
  record.note('order_created');
  await record.persist(checkoutLocally);

  const compensations = new Compensations();
  // The coupon first (patched: recorded histories had none): its slot is claimed before any stock
  // is reserved, and given back by the same stack if the order does not go ahead; kept once paid.
  const coupon = input.coupon;
  const couponRedeemed = coupon !== undefined && patched('coupon-redemption');
  if (couponRedeemed) {
    let redeemed: Awaited<ReturnType<typeof couponClaim.redeemCoupon>>;
    try {
      redeemed = await couponClaim.redeemCoupon({ code: coupon.code, orderNumber, customerId: input.customer.id, discountMinor: coupon.discountMinor });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return reject({ reason: 'stock_unavailable', message: 'the coupon could not be redeemed right now; try again' });
    }
    if (!redeemed.redeemed) {
      return reject({ reason: 'coupon_refused', message: redeemed.message, coupon: { code: coupon.code, refusal: redeemed.refusal } }, { coupon: coupon.code, refusal: redeemed.refusal });
    }
    compensations.push(() => coupons.releaseCoupon({ code: coupon.code, orderNumber }));
    record.note('coupon_redeemed', { code: coupon.code, discountMinor: coupon.discountMinor });
  }
  const shortages: Shortage[] = [];
  try {
    for (const item of input.items) {
      const r = await (checkoutLocally ? localReserving : reserving).reserveStock({ orderNumber, sku: item.sku, quantity: item.quantity });
      if (r.applied) compensations.push(() => stock.releaseStock({ orderNumber, sku: item.sku, quantity: item.quantity }));
      else shortages.push({ sku: item.sku, requested: item.quantity, available: r.available });
    }
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return reject({ reason: 'stock_unavailable', message: 'stock could not be reserved right now; try again' });
  }
  if (shortages.length > 0) {
    return reject({ reason: 'insufficient_stock', message: `not enough stock for ${shortages.map((s) => s.sku).join(', ')}`, shortages }, { shortages });
  }
  record.note('stock_reserved', { items: input.items.map((i) => ({ sku: i.sku, quantity: i.quantity })) });

  try {
    const pref = await checkoutMp.createCheckoutPreference({
      orderNumber,
      currency: input.currency,
      items: couponRedeemed ? preferenceItems(input) : input.items,
      payerEmail: input.customer.email,
      payerName: input.customer.name,
      notificationUrl: input.notificationUrl,
      expiresAt: new Date(Date.parse(input.createdAt) + input.paymentTimeoutMs).toISOString(),
    });
    state.payment = { preferenceId: pref.preferenceId, initPoint: pref.initPoint, sandboxInitPoint: pref.sandboxInitPoint, status: 'awaiting', refunds: [] };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return reject({ reason: 'payment_provider_unavailable', message: `MercadoPago is unavailable: ${err.cause?.message ?? err.message}` });
  }
  record.setStatus('awaiting_payment', 'payment_link_created', { preferenceId: state.payment.preferenceId });
  await record.persist();

  // ---- Payment: approved, failed, cancelled by the customer, or timed out -----------------------
  const settled = await condition(() => payments.approved() !== undefined || payments.failed() !== undefined || saga.cancelRequest !== undefined, input.paymentTimeoutMs);
  const paidWith = payments.approved();

  if (paidWith) {
    payments.decided = true;
    state.payment.paymentId = paidWith.paymentId;
    state.payment.status = 'paid';
    state.payment.paidAt = now();
    // The reservations become sales: nothing left to release.
    compensations.discard();
    for (const item of input.items) await stock.commitStock({ orderNumber, sku: item.sku, quantity: item.quantity });
    record.setStatus('confirmed', 'payment_approved', { paymentId: paidWith.paymentId });
    payments.refundAllUnwanted();
    if (input.affiliateCode) {
      const affiliateCode = input.affiliateCode;
      lanes.enqueue('payments', 'recordAffiliateAttribution', async () => {
        await store.recordAffiliateAttribution({ orderNumber, affiliateCode, customerEmail: input.customer.email, amountMinor: input.totalMinor, currency: input.currency, paymentId: paidWith.paymentId });
        record.note('affiliate_attributed', { affiliateCode });
      });
    }
    effects.syncCrm('won', input.crm.paidTag);
    effects.sendEmail('confirmed');
    // If the customer asked to cancel in the same instant, the payment won: cancel it as paid.
    if (saga.cancelRequest) cancelPaidOrder(saga, saga.cancelRequest);
    // Recorded with its side effects already queued, so no reader sees "confirmed, nothing pending" early.
    await record.persist();
  } else {
    const cancel = saga.cancelRequest;
    const reason = cancel ? cancel.reason : settled ? `payment_${payments.failed()!.status}` : 'payment_timeout';
    const by = cancel ? cancel.by : 'system';
    await compensations.unwind();
    state.payment.status = 'failed';
    state.cancellation = { reason, by, at: now() };
    record.setStatus('cancelled', 'order_cancelled', { reason, by });
    payments.decided = true;
    payments.refundAllUnwanted();
    effects.sendEmail('cancelled', { reason });
    await record.persist();
  }

  // ---- Fulfilment (by updates) until delivered or cancelled --------------------------------------
  // (A partially refunded order is fulfilled on; a full refund or a chargeback made outside ends it.)
  await condition(() => stageOf(state) === 'delivered' || FINAL_ORDER_STATUSES.includes(state.status));
  if (state.status !== 'delivered' && stageOf(state) !== 'delivered') {
    // Keep listening for late payments (cash and bank methods approve days later), then close.
    // Afterwards, payments and reversals go to `closedOrderPayments` (./closed-order-payments.ts).
    await condition(() => false, input.latePaymentWindowMs);
  }
  return finish();
}
