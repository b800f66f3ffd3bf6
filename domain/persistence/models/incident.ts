import { Schema, model, models, type Model } from 'mongoose';

/**
 * Projection of an incident workflow (`incident-<dedupKey>`), written by the workflow at every
 * change; `_id` is `<dedupKey>@<openedAt>`, stable across continue-as-new and unique per incident.
 */
const incidentSchema = new Schema(
  {
    _id: { type: String, required: true },
    dedupKey: { type: String, required: true },
    workflowId: { type: String, required: true },
    runId: { type: String, required: true },
    rule: { type: String, required: true },
    severity: { type: String, required: true },
    title: { type: String, required: true },
    message: { type: String, required: true },
    source: { type: String },
    details: { type: Schema.Types.Mixed },
    status: { type: String, enum: ['triggered', 'acknowledged', 'resolved'], required: true },
    level: { type: Number, required: true },
    alertCount: { type: Number, required: true },
    openedAt: { type: Date, required: true },
    lastAlertAt: { type: Date },
    acknowledgedAt: { type: Date },
    acknowledgedBy: { type: String },
    resolvedAt: { type: Date },
    resolvedBy: { type: String },
    resolution: { type: String },
    notificationsSent: { type: Number, default: 0 },
    notificationsFailed: { type: Number, default: 0 },
    timeline: { type: [Schema.Types.Mixed], default: [] },
    /** Grouped incidents: the executions behind them ({total, open, listed, openKeys}). */
    affected: { type: Schema.Types.Mixed },
    resolvesWithMembers: { type: Boolean },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'incidents', versionKey: false },
);

/** Every page sent (or failed) for an incident: channel, recipient, outcome. */
const incidentNotificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    dedupKey: { type: String, required: true },
    workflowId: { type: String, required: true },
    channel: { type: String, required: true },
    kind: { type: String, required: true },
    level: { type: Number, required: true },
    recipient: { type: String },
    outcome: { type: String, enum: ['sent', 'failed'], required: true },
    error: { type: String },
    at: { type: Date, required: true },
  },
  { collection: 'incident_notifications', versionKey: false },
);

export const Incident: Model<any> = models.Incident ?? model('Incident', incidentSchema);
export const IncidentNotification: Model<any> = models.IncidentNotification ?? model('IncidentNotification', incidentNotificationSchema);
