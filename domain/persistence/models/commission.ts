import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

import { COMMISSION_STATUSES } from '../../../contracts/commissions';

export { COMMISSION_STATUSES, type CommissionStatusName } from '../../../contracts/commissions';

/** The commission projection, written by its workflow `commission-<conversionId>`. */
const commissionSchema = new Schema(
  {
    /** com_<conversion id suffix> */
    _id: { type: String, required: true },
    conversionId: { type: String, required: true },
    affiliateId: { type: String, required: true, index: true },
    campaignId: { type: String, required: true, index: true },
    status: { type: String, enum: COMMISSION_STATUSES, required: true, index: true },
    baseMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    amountMinor: { type: Number },
    rateBps: { type: Number },
    bonusBps: { type: Number },
    capped: { type: Boolean },
    holdUntil: { type: Date },
    decision: { type: Schema.Types.Mixed },
    payoutId: { type: String },
    revision: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'commissions', versionKey: false },
);

export type CommissionDoc = InferSchemaType<typeof commissionSchema>;
export const Commission: Model<CommissionDoc> = (models.Commission as Model<CommissionDoc>) ?? model<CommissionDoc>('Commission', commissionSchema);

/**
 * What the business owes affiliates, append-only: `payable` (+) when a commission becomes payable,
 * `clawback` (−) when its sale is refunded after that. Never edited, only marked with the payout
 * that settled it. `_id` `<commissionId>:<kind>` makes each entry happen once.
 */
const ledgerEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    affiliateId: { type: String, required: true, index: true },
    commissionId: { type: String, required: true },
    campaignId: { type: String, required: true },
    kind: { type: String, enum: ['payable', 'clawback'], required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    payoutId: { type: String, default: null, index: true },
    at: { type: Date, required: true },
  },
  { collection: 'commission_ledger', versionKey: false },
);

export type LedgerEntryDoc = InferSchemaType<typeof ledgerEntrySchema>;
export const LedgerEntry: Model<LedgerEntryDoc> = (models.LedgerEntry as Model<LedgerEntryDoc>) ?? model<LedgerEntryDoc>('LedgerEntry', ledgerEntrySchema);

/** One affiliate's payout of one batch (`po_<period>_<affiliateId>`): what to pay, then paid. */
const payoutSchema = new Schema(
  {
    _id: { type: String, required: true },
    period: { type: String, required: true, index: true },
    affiliateId: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    entries: { type: [String], required: true },
    status: { type: String, enum: ['pending', 'paid'], required: true },
    createdAt: { type: Date, required: true },
    paidAt: { type: Date },
    reference: { type: String },
  },
  { collection: 'payouts', versionKey: false },
);

export type PayoutDoc = InferSchemaType<typeof payoutSchema>;
export const Payout: Model<PayoutDoc> = (models.Payout as Model<PayoutDoc>) ?? model<PayoutDoc>('Payout', payoutSchema);

/** A payout batch run (`batch-<period>`) with its CSV. */
const payoutBatchSchema = new Schema(
  {
    _id: { type: String, required: true },
    period: { type: String, required: true },
    payouts: { type: [String], required: true },
    csv: { type: String, required: true },
    totalsMinor: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
  },
  { collection: 'payout_batches', versionKey: false },
);

export type PayoutBatchDoc = InferSchemaType<typeof payoutBatchSchema>;
export const PayoutBatch: Model<PayoutBatchDoc> = (models.PayoutBatch as Model<PayoutBatchDoc>) ?? model<PayoutBatchDoc>('PayoutBatch', payoutBatchSchema);
