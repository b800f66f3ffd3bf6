import { AffiliateAttribution } from '../../common/models/affiliate-attribution';
import { Order } from '../../common/models/order';
import { writeByRevision } from './projection';
import type { OrderView } from '../../workflows/orders/definitions';
import { isDuplicateKey } from '../../common/mongo';


/** MongoDB activities of the order saga: its projection and its affiliate attribution. */
export function createOrderStoreActivities() {
  return {
    /**
     * Writes the workflow's view of the order. Upsert guarded by revision: a delayed write of an
     * older revision matches nothing, and its upsert then collides on _id and is dropped.
     */
    async recordOrder(view: OrderView): Promise<void> {
      const { orderNumber, revision, createdAt, updatedAt, ...rest } = view;
      await writeByRevision(Order, orderNumber, revision, { ...rest, orderNumber, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) });
    },

    /** One attribution per order; a retry finds it already there. */
    async recordAffiliateAttribution(input: { orderNumber: string; affiliateCode: string; customerEmail: string; amountMinor: number; currency: string; paymentId: string }): Promise<{ recorded: boolean }> {
      try {
        await AffiliateAttribution.collection.insertOne({ _id: input.orderNumber, ...input, status: 'recorded', at: new Date() } as never);
        return { recorded: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return { recorded: false };
      }
    },

    /** A paid order cancelled later: its conversion no longer earns a commission. */
    async voidAffiliateAttribution(input: { orderNumber: string }): Promise<void> {
      await AffiliateAttribution.updateOne({ _id: input.orderNumber }, { $set: { status: 'voided' } });
    },
  };
}
