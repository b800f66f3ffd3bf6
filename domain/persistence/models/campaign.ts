import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';
import { CURRENCIES } from '../../../common/money';

/** A marketing campaign and the commission it pays (percentages as basis points: 15 % = 1500). */
const campaignSchema = new Schema(
  {
    /** camp_<random> */
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String },
    type: { type: String },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    budgetMinor: { type: Number, required: true },
    currency: { type: String, enum: CURRENCIES, required: true },
    channels: { type: [String], default: [] },
    segmentation: { type: Schema.Types.Mixed },
    commission: {
      conversionBps: { type: Number },
      saleBps: { type: Number },
      /** Extra percentage once an affiliate reaches `bonusTarget` commissions in this campaign. */
      bonusBps: { type: Number },
      bonusTarget: { type: Number },
      /** Highest commission per conversion, in minor units. */
      capMinor: { type: Number },
    },
    status: { type: String, enum: ['draft', 'active', 'paused'], required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'campaigns', versionKey: false },
);

export type CampaignDoc = InferSchemaType<typeof campaignSchema>;
export const Campaign: Model<CampaignDoc> = (models.Campaign as Model<CampaignDoc>) ?? model<CampaignDoc>('Campaign', campaignSchema);
