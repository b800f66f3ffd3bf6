/**
 * The order's payments, as the webhook pipeline reports them (`paymentUpdated`), and the refunds of
 * every payment the order should not keep: one arriving after cancellation, a second one for an
 * order already paid, or one whose amount does not match.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { isCurrency, MoneyError, toMinorUnits } from '../../common/money';
import { paymentUpdatedSignal, type PaymentUpdate, type RefundRecord } from '../../contracts/orders';
import { isNewReversal, reversalOf, unwantedPaymentReason } from '../../domain/orders/payment-reversals';
import type { OrderSaga } from './fulfilment';
import { mp } from './order-activities';
import type { SagaCore } from './order-saga';
import { applyOutsideReversal, OUTSIDE_REVERSALS_PATCH } from './reversals';

const FAILED_PAYMENT_STATUSES = new Set(['rejected', 'cancelled']);

export class OrderPayments {
  private readonly payments = new Map<string, PaymentUpdate>();
  private readonly refunds = new Map<string, RefundRecord>();
  /** Once the order's payment is decided, every other approved payment is given back. */
  decided = false;

  constructor(private readonly saga: SagaCore) {
    setHandler(paymentUpdatedSignal, (u) => this.onUpdate(u));
  }

  private onUpdate(u: PaymentUpdate): Promise<void> | void {
    const { record } = this.saga;
    const { state } = record;
    // Redeliveries and out-of-order updates: only a newer state of a payment counts.
    const prev = this.payments.get(u.paymentId);
    if (prev && prev.dateLastUpdated >= u.dateLastUpdated) return;
    this.payments.set(u.paymentId, u);
    record.note('payment_update', { paymentId: u.paymentId, status: u.status });
    const reversal = u.paymentId === state.payment?.paymentId ? reversalOf(u) : undefined;
    // A refund or chargeback of the paid payment that the order did not make itself (a refund from
    // MercadoPago's panel, by MercadoPago, a chargeback) moves the order, once per reversal
    // (added while executions ran the old handling: patched() keeps them replayable).
    if (reversal && patched(OUTSIDE_REVERSALS_PATCH)) {
      if (this.refunds.has(u.paymentId)) {
        record.note('own_refund_confirmed', { paymentId: u.paymentId, status: u.status });
      } else if (isNewReversal(state.payment!.reversal, reversal)) {
        return applyOutsideReversal(this.saga as OrderSaga, u, reversal);
      }
    } else if (u.paymentId === state.payment?.paymentId && (u.status === 'refunded' || u.status === 'charged_back')) {
      // Reversed at MercadoPago (a refund from its panel, a chargeback): recorded; what to do with the
      // goods is a person's decision.
      state.payment.status = 'refunded';
      record.note('payment_reversed', { paymentId: u.paymentId, status: u.status });
    }
    if (this.decided) this.refundIfUnwanted(u);
  }

  amountMatches(p: PaymentUpdate): boolean {
    const { input } = this.saga;
    try {
      return p.currency === input.currency && isCurrency(p.currency) && toMinorUnits(p.amount, p.currency) === input.totalMinor;
    } catch (err) {
      if (err instanceof MoneyError) return false;
      throw err;
    }
  }

  /** An approved payment of the right amount (a payment reported before the link existed counts). */
  approved(): PaymentUpdate | undefined {
    return [...this.payments.values()].find((p) => p.status === 'approved' && this.amountMatches(p));
  }

  failed(): PaymentUpdate | undefined {
    return [...this.payments.values()].find((p) => FAILED_PAYMENT_STATUSES.has(p.status));
  }

  /** Once decided: refunds every approved payment already reported that the order does not keep. */
  refundAllUnwanted(): void {
    for (const p of this.payments.values()) this.refundIfUnwanted(p);
  }

  private refundIfUnwanted(p: PaymentUpdate): void {
    const { state } = this.saga.record;
    if (p.status !== 'approved' || p.paymentId === state.payment?.paymentId || this.refunds.has(p.paymentId)) return;
    const reason = unwantedPaymentReason(state.status, this.amountMatches(p));
    this.refund(p.paymentId, reason);
  }

  /** Refunds a payment in full (in the payments lane); `then` runs once the money is back. */
  refund(paymentId: string, reason: RefundRecord['reason'], then?: () => void): void {
    const { record, lanes } = this.saga;
    const entry: RefundRecord = { paymentId, reason, status: 'pending' };
    this.refunds.set(paymentId, entry);
    record.state.payment?.refunds.push(entry);
    record.note('refund_requested', { paymentId, reason });
    lanes.enqueue('payments', `refundPayment:${paymentId}`, async () => {
      const r = await mp.refundMercadoPagoPayment({ paymentId, reason });
      entry.status = 'refunded';
      entry.amount = r.amount;
      if (r.refundId !== undefined) entry.refundId = r.refundId;
      record.note('payment_refunded', { paymentId, amount: r.amount, reason });
      then?.();
      await record.persist();
    });
  }
}
