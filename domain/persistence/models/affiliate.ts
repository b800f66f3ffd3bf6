import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

export const AFFILIATE_TIERS = ['base', 'premium'] as const;

/**
 * An affiliate (seed 004). `code` is what shoppers bring (orders' affiliate_code); bank data is
 * stored encrypted (AES-256-GCM, common/crypto.ts) and only ever shown masked.
 */
const affiliateSchema = new Schema(
  {
    /** af_<random> */
    _id: { type: String, required: true },
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    phone: { type: String },
    document: { type: { type: String }, number: { type: String } },
    tier: { type: String, enum: AFFILIATE_TIERS, required: true },
    /** The currency the minimum payout is in. */
    currency: { type: String, required: true },
    commission: {
      baseBps: { type: Number, required: true },
      premiumBps: { type: Number, required: true },
      minimumPayoutMinor: { type: Number, required: true },
    },
    /** Encrypted JSON of {bank, account_type, account_number}. */
    bankEncrypted: { type: String },
    bankLast4: { type: String },
    status: { type: String, enum: ['active', 'inactive'], required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'affiliates', versionKey: false },
);

export type AffiliateDoc = InferSchemaType<typeof affiliateSchema>;
export const Affiliate: Model<AffiliateDoc> = (models.Affiliate as Model<AffiliateDoc>) ?? model<AffiliateDoc>('Affiliate', affiliateSchema);
