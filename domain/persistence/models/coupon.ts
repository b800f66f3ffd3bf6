import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';
import { CURRENCIES } from '../../../common/money';

/**
 * A coupon (promotion), keyed by its code in capitals. `percent` off the subtotal, or a fixed
 * `valueMinor` in `currency`. Usage is not a counter on this document (FerretDB has no atomic
 * `$inc`): it is the set of redemption slots in `coupon_redemptions`.
 */
const couponSchema = new Schema(
  {
    /** code */
    _id: { type: String, required: true },
    type: { type: String, enum: ['percent', 'fixed'], required: true },
    percent: { type: Number },
    valueMinor: { type: Number },
    currency: { type: String, enum: CURRENCIES },
    validFrom: { type: Date },
    validUntil: { type: Date },
    minOrderMinor: { type: Number, required: true, default: 0 },
    usageLimit: { type: Number },
    perCustomerLimit: { type: Number },
    active: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'coupons', versionKey: false },
);

/**
 * Redemption slots, claimed with insertOnce (domain/persistence/write-patterns.ts): `<CODE>:<n>`
 * for n in 1..usageLimit (the first insert of a slot wins, so at most usageLimit orders hold one),
 * `<CODE>:customer:<id>:<m>` for m in 1..perCustomerLimit, and `<CODE>:order:<number>` for a coupon
 * without a total limit. Releasing deletes the order's slots, which makes them claimable again.
 */
const couponRedemptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true },
    kind: { type: String, enum: ['total', 'customer'], required: true },
    orderNumber: { type: String, required: true },
    customerId: { type: String, required: true },
    discountMinor: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'coupon_redemptions', versionKey: false },
);
couponRedemptionSchema.index({ orderNumber: 1 });
couponRedemptionSchema.index({ code: 1, kind: 1 });

export type CouponDoc = InferSchemaType<typeof couponSchema>;
export type CouponRedemptionDoc = InferSchemaType<typeof couponRedemptionSchema>;
export const Coupon: Model<CouponDoc> = (models.Coupon as Model<CouponDoc>) ?? model<CouponDoc>('Coupon', couponSchema);
export const CouponRedemption: Model<CouponRedemptionDoc> = (models.CouponRedemption as Model<CouponRedemptionDoc>) ?? model<CouponRedemptionDoc>('CouponRedemption', couponRedemptionSchema);
