/** Our own refunds, so the payment projection can tell them from refunds made outside us. */
import type { PaymentRefund } from '../../contracts/webhooks';
import { IssuedRefund } from '../persistence/models/issued-refund';

/** Clock skew allowed between our announcement and MercadoPago's refund date. */
const SKEW_MS = 60_000;

export function issuedRefunds() {
  return {
    /** Before asking MercadoPago: from now on a refund of this payment is ours until its id is known. */
    async announce(input: { paymentId: string; reason: string }): Promise<void> {
      await IssuedRefund.updateOne({ _id: input.paymentId }, { $setOnInsert: { reason: input.reason, announcedAt: new Date(), refundIds: [] } }, { upsert: true });
    },
    async record(input: { paymentId: string; refundId: string }): Promise<void> {
      await IssuedRefund.updateOne({ _id: input.paymentId }, { $addToSet: { refundIds: input.refundId } });
    },
    /** Which of a payment's refunds are ours: the ids we got back, or, before that, those made since we asked. */
    async oursAmong(paymentId: string, refunds: PaymentRefund[]): Promise<Set<string>> {
      if (refunds.length === 0) return new Set();
      const doc = await IssuedRefund.findById(paymentId).lean<{ announcedAt: Date; refundIds: string[] }>();
      if (!doc) return new Set();
      if (doc.refundIds.length > 0) return new Set(doc.refundIds);
      const since = new Date(doc.announcedAt).getTime() - SKEW_MS;
      return new Set(refunds.filter((r) => r.dateCreated && Date.parse(r.dateCreated) >= since).map((r) => r.refundId));
    },
  };
}
