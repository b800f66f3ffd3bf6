import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/** A rejected request worth counting for the security metrics (seed 000: threats per hour). */
const securityEventSchema = new Schema(
  {
    type: { type: String, required: true, index: true },
    reason: { type: String, required: true },
    sourceIp: { type: String },
    path: { type: String },
    requestId: { type: String },
    at: { type: Date, required: true, index: true },
    /** Hour bucket (YYYY-MM-DDTHH) written at insert: counts per hour without date operators. */
    hour: { type: String, required: true, index: true },
  },
  { collection: 'security_events', versionKey: false },
);

export type SecurityEventDoc = InferSchemaType<typeof securityEventSchema>;
export const SecurityEvent: Model<SecurityEventDoc> =
  (models.SecurityEvent as Model<SecurityEventDoc>) ?? model<SecurityEventDoc>('SecurityEvent', securityEventSchema);
