import { Payment } from '../../common/models/payment';
import type { PaymentSnapshot } from '../mercadopago/activities';

export interface SavePaymentResult {
  /** inserted / updated: this write changed the projection; stale: a newer or equal version was already stored. */
  outcome: 'inserted' | 'updated' | 'stale';
  previousStatus?: string;
  /** True for exactly one writer per payment: the one whose write moved it into `approved`. */
  becameApproved: boolean;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;

/** Integer minor units, so sums stay exact (MercadoPago amounts have at most 2 decimals). */
export const toMinor = (amount: number) => Math.round(amount * 100);

/** MongoDB activities for the payment projection. */
export function createPaymentStoreActivities() {
  return {
    /**
     * Upsert monotonic by date_last_updated: a single conditional write (no transaction), so an older
     * notification processed late never regresses the state, and exactly one concurrent writer
     * observes each status transition.
     */
    async savePayment(p: PaymentSnapshot): Promise<SavePaymentResult> {
      const version = Date.parse(p.dateLastUpdated);
      const doc = {
        status: p.status,
        statusDetail: p.statusDetail,
        amount: p.amount,
        amountMinor: toMinor(p.amount),
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
      try {
        const before = await Payment.findOneAndUpdate(
          { paymentId: p.paymentId, version: { $lt: version } },
          { $set: doc },
          { upsert: true, returnDocument: 'before' },
        ).lean();
        const previousStatus = before?.status;
        return {
          outcome: before ? 'updated' : 'inserted',
          previousStatus,
          becameApproved: p.status === 'approved' && previousStatus !== 'approved',
        };
      } catch (err) {
        // The filter missed because a version >= ours is stored; the upsert then hit the unique paymentId.
        if (isDuplicateKey(err)) return { outcome: 'stale', becameApproved: false };
        throw err;
      }
    },
  };
}
