/**
 * The paid payment reversed outside the order — a refund from MercadoPago's panel or by MercadoPago
 * (full or partial), a chargeback — while the order's workflow runs: the order takes the status
 * (`refunded`, `partially_refunded`, `charged_back`), restocks per policy, voids or claws back the
 * affiliate commission and tells the customer, once per reversal (domain/orders/payment-reversals.ts).
 */
import type { PaymentUpdate, ReversalKind } from '../../contracts/orders';
import { restocksOn, stageOf, voidsCommission } from '../../domain/orders/payment-reversals';
import type { OrderSaga } from './fulfilment';
import { stock, store } from './order-activities';
import { now } from './order-record';

export const OUTSIDE_REVERSALS_PATCH = 'outside-refunds-move-the-order';

/** Applies a reversal already known to be new and not the order's own; resolves once it is recorded. */
export function applyOutsideReversal(saga: OrderSaga, u: PaymentUpdate, r: { kind: ReversalKind; refundedMinor: number }): Promise<void> {
  const { input, record, lanes, effects } = saga;
  const { state } = record;
  const payment = state.payment!;
  const before = payment.reversal;
  const stage = stageOf(state);
  const restock = restocksOn(r.kind, stage) && !before?.restocked;
  const voidCommission = voidsCommission(r.kind) && !!input.affiliateCode && !before?.commissionVoided;
  payment.reversal = {
    kind: r.kind,
    paymentId: u.paymentId,
    refundedMinor: r.refundedMinor,
    stage,
    restocked: !!before?.restocked || restock,
    commissionVoided: !!before?.commissionVoided || voidCommission,
    at: now(),
  };
  payment.status = r.kind;
  record.setStatus(r.kind, `order_${r.kind}`, { paymentId: u.paymentId, paymentStatus: u.status, ...(u.statusDetail ? { statusDetail: u.statusDetail } : {}), refundedMinor: r.refundedMinor, source: 'outside', stage });
  if (restock) {
    lanes.enqueue('payments', 'restockItems', async () => {
      for (const item of input.items) await stock.restockItem({ orderNumber: input.orderNumber, sku: item.sku, quantity: item.quantity });
      record.note('stock_restocked');
      await record.persist();
    });
  }
  if (voidCommission) {
    lanes.enqueue('payments', 'voidAffiliateAttribution', async () => {
      await store.voidAffiliateAttribution({ orderNumber: input.orderNumber, reason: `order ${input.orderNumber} ${r.kind.replace('_', ' ')}` });
      record.note('commission_voided');
    });
  }
  effects.sendEmail(r.kind, { refundedMinor: r.refundedMinor });
  return record.persist();
}
