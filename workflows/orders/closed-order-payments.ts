/**
 * Payments nobody's workflow is waiting for: `order-payments-<number>`, started with
 * signal-with-start of `paymentUpdated` by the webhook pipeline when signalling `order-<number>`
 * fails (the order's workflow has closed — delivered, cancelled past its late-payment window — or
 * no such order exists). It reads the order's projection and applies the same rules as the running
 * order (domain/orders/payment-reversals.ts):
 * - another approved payment → refunded in full once (`duplicate_payment`; `late_payment` for a
 *   cancelled, refunded or charged-back order; `amount_mismatch`), recorded on the projection;
 * - a refund or chargeback of the paid payment made outside us → the order's status, the
 *   commission voided or clawed back, the customer's email, restock per policy — once;
 * - our own refunds' notifications → recorded as confirmations, nothing else;
 * - no such order → flagged (an `unmatched_payment` alert and a record), never refunded.
 * It waits `idleMs` for more notifications, then closes; a later one starts a new run, which
 * decides from the projection again (so nothing is done twice across runs either).
 */
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  closedOrderPaymentsQuery,
  paymentUpdatedSignal,
  type ClosedOrderPaymentDecision,
  type ClosedOrderPaymentsInput,
  type ClosedOrderPaymentsResult,
  type OrderView,
  type PaymentUpdate,
  type RefundRecord,
} from '../../contracts/orders';
import { amountMatches, isNewReversal, restocksOn, reversalOf, stageOf, unwantedPaymentReason, voidsCommission } from '../../domain/orders/payment-reversals';
import { ManualRetry } from '../shared/manual-retry';
import { alerts, email, mp, stock, store } from './order-activities';

export async function closedOrderPayments(input: ClosedOrderPaymentsInput): Promise<ClosedOrderPaymentsResult> {
  const { orderNumber } = input;
  const now = () => new Date().toISOString();
  const queue: PaymentUpdate[] = [];
  const latest = new Map<string, string>();
  const result: ClosedOrderPaymentsResult = { orderNumber, orderFound: false, decisions: [] };
  setHandler(paymentUpdatedSignal, (u) => void queue.push(u));
  setHandler(closedOrderPaymentsQuery, () => result);

  const alertKey = `order-step-failed:${orderNumber}`;
  const retries = new ManualRetry({
    async onFailed(step, error) {
      await alerts.recordAlert({ dedupKey: alertKey, rule: 'order_step_failed', severity: 'high', message: `Order ${orderNumber} (closed) failed at ${step}: ${error}`, source: workflowInfo().workflowId, details: { orderNumber, step } });
    },
    async onRetrying() {
      await alerts.resolveAlert({ dedupKey: alertKey });
    },
  });
  const step = <T>(name: string, run: () => Promise<T>) => retries.step(name, run);

  const order: OrderView | null = await step('loadOrder', () => store.loadOrder({ orderNumber }));
  result.orderFound = order !== null;

  function note(o: OrderView, event: string, detail?: Record<string, unknown>) {
    o.timeline.push({ at: now(), event, status: o.status, ...(detail ? { detail } : {}) });
  }
  async function persist(o: OrderView) {
    o.updatedAt = now();
    o.revision++;
    await step('recordOrder', () => store.recordOrder({ ...o, timeline: [...o.timeline] }));
  }

  /** No order has this number: flag it for a person (it may be another system's sale on the same account). */
  async function flagUnknown(u: PaymentUpdate): Promise<ClosedOrderPaymentDecision> {
    await step('recordUnmatchedPayment', () => store.recordUnmatchedPayment({ orderNumber, update: u }));
    if (u.status !== 'approved') return { paymentId: u.paymentId, status: u.status, outcome: 'ignored', reason: 'unknown order, not approved' };
    await alerts.recordAlert({
      dedupKey: `unmatched-payment:${u.paymentId}`,
      rule: 'unmatched_payment',
      severity: 'high',
      message: `Payment ${u.paymentId} (${u.currency} ${u.amount}) names order ${orderNumber}, which does not exist: not refunded, look at it`,
      source: workflowInfo().workflowId,
      details: { paymentId: u.paymentId, externalReference: orderNumber, amount: u.amount, currency: u.currency },
    });
    return { paymentId: u.paymentId, status: u.status, outcome: 'flagged_unknown_order' };
  }

  async function onPaidPayment(o: OrderView, u: PaymentUpdate, own: RefundRecord | undefined): Promise<ClosedOrderPaymentDecision> {
    const payment = o.payment!;
    const r = reversalOf(u);
    if (!r) return { paymentId: u.paymentId, status: u.status, outcome: 'ignored' };
    if (own) {
      note(o, 'own_refund_confirmed', { paymentId: u.paymentId, status: u.status });
      await persist(o);
      return { paymentId: u.paymentId, status: u.status, outcome: 'ours', reason: own.reason };
    }
    if (!isNewReversal(payment.reversal, r)) return { paymentId: u.paymentId, status: u.status, outcome: 'ignored', reason: 'already applied' };
    const before = payment.reversal;
    const stage = stageOf(o);
    const restock = restocksOn(r.kind, stage) && !before?.restocked;
    const voidCommission = voidsCommission(r.kind) && !!o.affiliateCode && !before?.commissionVoided;
    payment.reversal = { kind: r.kind, paymentId: u.paymentId, refundedMinor: r.refundedMinor, stage, restocked: !!before?.restocked || restock, commissionVoided: !!before?.commissionVoided || voidCommission, at: now() };
    payment.status = r.kind;
    o.status = r.kind;
    note(o, `order_${r.kind}`, { paymentId: u.paymentId, paymentStatus: u.status, ...(u.statusDetail ? { statusDetail: u.statusDetail } : {}), refundedMinor: r.refundedMinor, source: 'outside', stage });
    await persist(o);
    if (restock) {
      for (const item of o.items) await step(`restockItem:${item.sku}`, () => stock.restockItem({ orderNumber, sku: item.sku, quantity: item.quantity }));
      note(o, 'stock_restocked');
    }
    if (voidCommission) {
      await step('voidAffiliateAttribution', () => store.voidAffiliateAttribution({ orderNumber, reason: `order ${orderNumber} ${r.kind.replace('_', ' ')}` }));
      note(o, 'commission_voided');
    }
    await step(`sendOrderEmail:${r.kind}`, () =>
      email.sendOrderEmail({
        kind: r.kind,
        orderNumber,
        to: o.customer.email,
        customerName: o.customer.name,
        currency: o.currency,
        totalMinor: o.totalMinor,
        items: o.items,
        trackingNumber: o.trackingNumber,
        refundedMinor: r.refundedMinor,
      }),
    );
    note(o, 'email_sent', { kind: r.kind });
    await persist(o);
    return { paymentId: u.paymentId, status: u.status, outcome: 'reversal_applied', reason: r.kind };
  }

  async function decide(u: PaymentUpdate): Promise<ClosedOrderPaymentDecision> {
    if (!order) return flagUnknown(u);
    const own = order.payment?.refunds.find((r) => r.paymentId === u.paymentId);
    if (order.payment?.paymentId === u.paymentId) return onPaidPayment(order, u, own);
    if (u.status !== 'approved') return { paymentId: u.paymentId, status: u.status, outcome: own ? 'ours' : 'ignored' };
    if (own) return { paymentId: u.paymentId, status: u.status, outcome: 'ours', reason: own.reason };

    // An approved payment the order does not keep: refunded in full, once (idempotency key refund-<payment id>).
    const reason = unwantedPaymentReason(order.status, amountMatches(u, order));
    order.payment ??= { status: 'failed', refunds: [] };
    const entry: RefundRecord = { paymentId: u.paymentId, reason, status: 'pending' };
    order.payment.refunds.push(entry);
    note(order, 'refund_requested', { paymentId: u.paymentId, reason, after: 'order_closed' });
    await persist(order);
    const refunded = await step(`refundPayment:${u.paymentId}`, () => mp.refundMercadoPagoPayment({ paymentId: u.paymentId, reason }));
    entry.status = 'refunded';
    entry.amount = refunded.amount;
    if (refunded.refundId !== undefined) entry.refundId = refunded.refundId;
    note(order, 'payment_refunded', { paymentId: u.paymentId, amount: refunded.amount, reason });
    await persist(order);
    return { paymentId: u.paymentId, status: u.status, outcome: 'refunded', reason };
  }

  while (await condition(() => queue.length > 0, input.idleMs)) {
    const u = queue.shift()!;
    // Redeliveries and out-of-order updates: only a newer state of a payment counts.
    const prev = latest.get(u.paymentId);
    if (prev !== undefined && prev >= u.dateLastUpdated) continue;
    latest.set(u.paymentId, u.dateLastUpdated);
    result.decisions.push(await decide(u));
  }
  await condition(allHandlersFinished);
  return result;
}
