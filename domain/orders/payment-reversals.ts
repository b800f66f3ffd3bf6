/**
 * Pure rules for money that moves after an order is paid (used by the order workflow while it
 * runs, and by `closedOrderPayments` once it has closed): what a payment update means for the
 * order, whether it is new, what to restock, and why an unwanted payment is refunded.
 * No I/O: workflows import this file.
 */
import { isCurrency, MoneyError, toMinorUnits } from '../../common/money';
import type { OrderStatusName, PaymentReversal, PaymentUpdate, RefundRecord, ReversalKind } from '../../contracts/orders';

function minor(amount: number | undefined, currency: string): number {
  if (!amount || !isCurrency(currency)) return 0;
  try {
    return toMinorUnits(amount, currency);
  } catch (err) {
    if (err instanceof MoneyError) return 0;
    throw err;
  }
}

/**
 * What an update of the order's paid payment says was reversed: `refunded` (all of it went back),
 * `partially_refunded` (still approved, part refunded), `charged_back` (the payer disowned it at
 * the issuer); undefined when nothing was.
 */
export function reversalOf(u: Pick<PaymentUpdate, 'status' | 'amount' | 'amountRefunded' | 'currency'>): { kind: ReversalKind; refundedMinor: number } | undefined {
  const refundedMinor = minor(u.amountRefunded, u.currency);
  if (u.status === 'charged_back') return { kind: 'charged_back', refundedMinor };
  if (u.status === 'refunded') return { kind: 'refunded', refundedMinor: refundedMinor || minor(u.amount, u.currency) };
  if (refundedMinor > 0 && (u.status === 'approved' || u.status === 'in_mediation')) return { kind: 'partially_refunded', refundedMinor };
  return undefined;
}

/**
 * True when `next` is news for an order that already acted on `current`: each reversal acts once,
 * however many notifications mention it. A partial refund moves on to a larger partial refund, a
 * full refund or a chargeback; `refunded` and `charged_back` are final.
 */
export function isNewReversal(current: Pick<PaymentReversal, 'kind' | 'refundedMinor'> | undefined, next: { kind: ReversalKind; refundedMinor: number }): boolean {
  if (!current) return true;
  if (current.kind !== 'partially_refunded') return false;
  return next.kind !== 'partially_refunded' || next.refundedMinor > current.refundedMinor;
}

/** Stages at which the goods are still with us. */
const NOT_SHIPPED: readonly OrderStatusName[] = ['confirmed', 'processing'];

/**
 * Restock policy: a full refund or a chargeback before shipment puts the goods back on sale; after
 * shipment they are with the customer (a return is a person's business); a partial refund never
 * restocks (we cannot know which goods, if any, came back).
 */
export function restocksOn(kind: ReversalKind, stage: OrderStatusName): boolean {
  return kind !== 'partially_refunded' && NOT_SHIPPED.includes(stage);
}

/** Commission policy: a full refund or a chargeback voids (in the hold) or claws back (after) the commission; a partial refund leaves it. */
export const voidsCommission = (kind: ReversalKind) => kind !== 'partially_refunded';

/** Where fulfilment stands: a partially refunded order goes on from the stage it had. */
export function stageOf(order: { status: OrderStatusName; payment?: { reversal?: Pick<PaymentReversal, 'stage'> } }): OrderStatusName {
  return order.status === 'partially_refunded' ? (order.payment?.reversal?.stage ?? 'confirmed') : order.status;
}

/** Why an approved payment the order does not keep is refunded. */
export function unwantedPaymentReason(orderStatus: OrderStatusName, amountMatches: boolean): RefundRecord['reason'] {
  if (!amountMatches) return 'amount_mismatch';
  return ['cancelled', 'rejected', 'refunded', 'charged_back'].includes(orderStatus) ? 'late_payment' : 'duplicate_payment';
}

/** The payment pays exactly the order's total in its currency. */
export function amountMatches(p: Pick<PaymentUpdate, 'amount' | 'currency'>, order: { currency: string; totalMinor: number }): boolean {
  return p.currency === order.currency && isCurrency(p.currency) && minor(p.amount, p.currency) === order.totalMinor;
}
