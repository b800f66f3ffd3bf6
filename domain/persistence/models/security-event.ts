import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * Rejected requests worth keeping for the security log: one document per type, source IP, reason
 * and minute, with how many (domain/payments/security-events.ts). The threats-per-hour metric reads
 * the metric buckets, not this log.
 */
const securityEventSchema = new Schema(
  {
    _id: { type: String },
    type: { type: String, required: true, index: true },
    reason: { type: String, required: true },
    sourceIp: { type: String },
    path: { type: String },
    requestId: { type: String },
    /** The minute (YYYY-MM-DDTHH:MM) this document counts. */
    minute: { type: String },
    count: { type: Number, default: 1 },
    /** First and last refusal of the minute. */
    at: { type: Date, required: true, index: true },
    lastAt: { type: Date },
    /** Hour bucket (YYYY-MM-DDTHH) written at insert: counts per hour without date operators. */
    hour: { type: String, required: true, index: true },
  },
  { collection: 'security_events', versionKey: false },
);

export type SecurityEventDoc = InferSchemaType<typeof securityEventSchema>;
export const SecurityEvent: Model<SecurityEventDoc> =
  (models.SecurityEvent as Model<SecurityEventDoc>) ?? model<SecurityEventDoc>('SecurityEvent', securityEventSchema);
