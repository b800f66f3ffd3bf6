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
     * Upsert monotonic by date_last_updated, without transactions: insert if new, otherwise a
     * compare-and-set on the stored version (a single-document conditional write). An older
     * notification processed late never regresses the state, and exactly one concurrent writer
     * observes each status transition.
     */
    async savePayment(p: PaymentSnapshot): Promise<SavePaymentResult> {
      const version = Date.parse(p.dateLastUpdated);
      const doc = {
        paymentId: p.paymentId,
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
      for (let attempt = 0; attempt < 20; attempt++) {
        const stored = await Payment.findById(p.paymentId, { status: 1, version: 1 }).lean();
        if (!stored) {
          try {
            await Payment.collection.insertOne({ _id: p.paymentId, ...doc } as never);
            return { outcome: 'inserted', becameApproved: p.status === 'approved' };
          } catch (err) {
            if (!isDuplicateKey(err)) throw err;
            continue; // another writer inserted first: compare against its version
          }
        }
        if (stored.version >= version) return { outcome: 'stale', becameApproved: false };
        const res = await Payment.updateOne({ _id: p.paymentId, version: stored.version }, { $set: doc });
        if (res.modifiedCount === 1) {
          return { outcome: 'updated', previousStatus: stored.status, becameApproved: p.status === 'approved' && stored.status !== 'approved' };
        }
        // Lost the race to a concurrent writer: re-read and compare again.
      }
      throw new Error(`savePayment ${p.paymentId}: too much contention`);
    },
  };
}
