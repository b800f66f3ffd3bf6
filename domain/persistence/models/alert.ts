import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * An alert recorded for the ops workflows (incidents pick these up by dedupKey). A repeat of the
 * same dedupKey increments `count` instead of adding a row.
 */
const alertSchema = new Schema(
  {
    /** The dedup key as _id: one alert document per key. */
    _id: { type: String, required: true },
    dedupKey: { type: String, required: true },
    rule: { type: String, required: true, index: true },
    severity: { type: String, enum: ['critical', 'high', 'medium', 'low', 'warning'], required: true },
    message: { type: String, required: true },
    source: { type: String },
    details: { type: Schema.Types.Mixed },
    status: { type: String, enum: ['open', 'resolved'], required: true, index: true },
    count: { type: Number, default: 1 },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
    resolvedAt: { type: Date },
    /** Incident bookkeeping (activities/ops/alerting.ts): when one was last opened, the count it covers, whether it is open. */
    incidentOpenedAt: { type: Date },
    /** When critical incidents of this key re-opened inside the cooldown (flapping detection). */
    reopenedAt: { type: [Date], default: undefined },
    pagedCount: { type: Number },
    incidentOpen: { type: Boolean },
    /** For one execution's failure: the incident that took it (its group's, or its dependency's down-incident). */
    incidentKey: { type: String },
    /** Why the last firing did not open an incident: maintenance window or cooldown. */
    suppressed: { type: String },
  },
  { collection: 'alerts', versionKey: false },
);

export type AlertDoc = InferSchemaType<typeof alertSchema>;
export const Alert: Model<AlertDoc> = (models.Alert as Model<AlertDoc>) ?? model<AlertDoc>('Alert', alertSchema);
