import { Payment } from '../persistence/models/payment';
import { isCurrency, MoneyError, toMinorUnits } from '../../common/money';
import { PaymentTransition } from '../persistence/models/payment-transition';
import type { PaymentSnapshot, SavePaymentResult } from '../../contracts/webhooks';
import { claimOnce, compareAndSetByVersion } from '../persistence/write-patterns';
import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { countEvent, counterKey } from '../persistence/counters';



/**
 * Integer minor units of the payment's currency (CLP and COP have none at MercadoPago), so sums
 * stay exact; an amount our money module cannot read exactly falls back to rounding cents.
 */
export function toMinor(amount: number, currency: string): number {
  if (isCurrency(currency)) {
    try {
      return toMinorUnits(amount, currency);
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
    }
  }
  return Math.round(amount * 100);
}

/**
 * Claims `<paymentId>:<status>` for `owner`; true if this owner holds the claim (first insert, or a
 * retry of the owner's own earlier claim).
 */
export const claimTransition = (paymentId: string, status: string, owner: string): Promise<boolean> =>
  claimOnce(PaymentTransition, `${paymentId}:${status}`, owner, { paymentId, status });

/** The payment projection (and the payment metric counters). */
export function paymentStore(config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) {
  return {
    /**
     * Upsert monotonic by date_last_updated, without transactions: insert if new, otherwise a
     * compare-and-set on the stored version (a single-document conditional write). An older
     * notification processed late never regresses the state, and exactly one concurrent writer
     * observes each status transition. `owner` (the calling workflow) claims the move into `approved`.
     */
    async savePayment(p: PaymentSnapshot, owner: string): Promise<SavePaymentResult> {
      const version = Date.parse(p.dateLastUpdated);
      const doc = {
        paymentId: p.paymentId,
        status: p.status,
        statusDetail: p.statusDetail,
        amount: p.amount,
        amountMinor: toMinor(p.amount, p.currency),
        amountRefunded: p.amountRefunded,
        currency: p.currency,
        externalReference: p.externalReference,
        payerEmail: p.payerEmail,
        paymentMethodId: p.paymentMethodId,
        paymentTypeId: p.paymentTypeId,
        liveMode: p.liveMode,
        dateCreated: p.dateCreated ? new Date(p.dateCreated) : undefined,
        dateApproved: p.dateApproved ? new Date(p.dateApproved) : undefined,
        dateLastUpdated: new Date(p.dateLastUpdated),
        version,
        syncedAt: new Date(),
      };
      // Atomic on MongoDB; on FerretDB v1 two writers racing within milliseconds can both pass the
      // version check (the last wins): the transition claim below is what guards effects.
      const { outcome, previous } = await compareAndSetByVersion<{ status: string }>(Payment, p.paymentId, version, doc, { status: 1 });
      const previousStatus = previous?.status;
      if (outcome !== 'stale' && previousStatus !== p.status) {
        // Counted once per (payment, status), whichever workflow saw the move.
        await countEvent({
          family: 'payments',
          at: new Date(),
          granularities: ['m5', 'h', 'd', 'mo'],
          timeZone: config.SCHEDULE_TIMEZONE,
          claimKey: `payment:${p.paymentId}:${p.status}`,
          inc: { [`count.${counterKey(p.status)}`]: 1, ...(p.status === 'approved' ? { [`amount.${counterKey(p.currency)}`]: doc.amountMinor } : {}) },
          // Today's top clients read the day bucket only; per-client keys elsewhere would only grow the buckets.
          dayInc: p.status === 'approved' ? { [`client.${counterKey(p.payerEmail ?? p.externalReference ?? 'unknown')}`]: 1 } : undefined,
        });
      }
      // Side effects of the approval hang on the claim, not on the projection write: on MongoDB the
      // conditional update is atomic too, on FerretDB v1 only the insert is.
      const becameApproved = p.status === 'approved' && (await claimTransition(p.paymentId, 'approved', owner));
      return { outcome, previousStatus, becameApproved };
    },
  };
}
