import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';
import { CURRENCIES } from '../../../common/money';

import { ORDER_STATUSES } from '../../../contracts/orders';

export { ORDER_STATUSES, type OrderStatusName } from '../../../contracts/orders';

/**
 * The order projection: what the order's workflow last recorded, for lists and filters. The
 * workflow itself (query `state`) is the live truth; each write carries the workflow's revision and
 * an older revision never overwrites a newer one.
 */
const orderSchema = new Schema(
  {
    /** order number */
    _id: { type: String, required: true },
    orderNumber: { type: String, required: true },
    workflowId: { type: String, required: true },
    revision: { type: Number, required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true, index: true },
    customer: {
      id: { type: String, required: true },
      email: { type: String, required: true },
      name: { type: String },
    },
    items: [
      {
        _id: false,
        sku: { type: String, required: true },
        name: { type: String, required: true },
        quantity: { type: Number, required: true },
        unitPriceMinor: { type: Number, required: true },
        lineTotalMinor: { type: Number, required: true },
      },
    ],
    currency: { type: String, enum: CURRENCIES, required: true },
    totalMinor: { type: Number, required: true },
    shippingAddress: { type: Schema.Types.Mixed, required: true },
    affiliateCode: { type: String },
    /** The coupon applied at checkout (`totalMinor` is after its discount); admins filter by `coupon.code`. */
    coupon: {
      type: new Schema({ code: { type: String, required: true }, discountMinor: { type: Number, required: true } }, { _id: false }),
      required: false,
    },
    subtotalMinor: { type: Number },
    discountMinor: { type: Number },
    /** Placed from the customer's cart. */
    fromCart: { type: Boolean },
    payment: { type: Schema.Types.Mixed },
    trackingNumber: { type: String },
    cancellation: { type: Schema.Types.Mixed },
    rejection: { type: Schema.Types.Mixed },
    timeline: { type: [Schema.Types.Mixed], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'orders', versionKey: false },
);
orderSchema.index({ 'customer.id': 1, createdAt: -1 });

export type OrderDoc = InferSchemaType<typeof orderSchema>;
export const Order: Model<OrderDoc> = (models.Order as Model<OrderDoc>) ?? model<OrderDoc>('Order', orderSchema);
