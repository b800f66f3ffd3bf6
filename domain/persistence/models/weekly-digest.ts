import { Schema, model, models, type Model } from 'mongoose';

/**
 * One document per ISO week (`_id` `2026-W07`): the weekly digest's claim and, once mailed, its
 * record. The claim (insert of the week's `_id`, the atomic primitive) is what makes a retried or
 * re-run digest for the same week send once.
 */
const weeklyDigestSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The digest run that holds the week (its workflow id). */
    owner: { type: String, required: true },
    status: { type: String, enum: ['sending', 'sent'], required: true },
    claimedAt: { type: Date, required: true },
    periodFrom: { type: Date, required: true },
    periodTo: { type: Date, required: true },
    sentAt: { type: Date },
    messageId: { type: String },
    recipients: { type: [String], default: undefined },
    counts: { type: Schema.Types.Mixed },
  },
  { collection: 'weekly_digests', versionKey: false },
);

export const WeeklyDigest: Model<any> = models.WeeklyDigest ?? model('WeeklyDigest', weeklyDigestSchema);
