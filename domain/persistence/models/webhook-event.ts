import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

export const WEBHOOK_STATUSES = ['received', 'processing', 'succeeded', 'failed', 'ignored'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_STATUSES)[number];

const attemptSchema = new Schema(
  {
    step: { type: String, required: true },
    attempt: { type: Number, required: true },
    outcome: { type: String, enum: ['succeeded', 'failed'], required: true },
    error: { type: String },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * Projection of one webhook delivery and its processing, for the event log operators filter by
 * status and type. Written by the workflow's activities; the API writes only `ignored` events.
 */
const webhookEventSchema = new Schema(
  {
    /** The event id itself: FerretDB v1 (SQLite) pushes down only `{_id: …}` filters, so every hot-path
     * write addresses the document by _id alone (an index lookup there and in MongoDB alike). */
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    provider: { type: String, required: true },
    type: { type: String, required: true, index: true },
    action: { type: String },
    resourceId: { type: String, index: true },
    status: { type: String, enum: WEBHOOK_STATUSES, required: true, index: true },
    workflowId: { type: String },
    runId: { type: String },
    failedStep: { type: String },
    lastError: { type: String },
    attempts: { type: Number, default: 0 },
    attemptLog: { type: [attemptSchema], default: [] },
    manualRetries: { type: Number, default: 0 },
    paymentStatus: { type: String },
    orderNumber: { type: String },
    receivedAt: { type: Date, required: true, index: true },
    processingStartedAt: { type: Date },
    finishedAt: { type: Date },
    durationMs: { type: Number },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'webhook_events', versionKey: false },
);

export type WebhookEventDoc = InferSchemaType<typeof webhookEventSchema>;
export const WebhookEvent: Model<WebhookEventDoc> =
  (models.WebhookEvent as Model<WebhookEventDoc>) ?? model<WebhookEventDoc>('WebhookEvent', webhookEventSchema);
