import { Schema, model, models, type Model } from 'mongoose';

/**
 * Time-bucketed counters written as events happen (activities/metrics/counters.ts), so a metrics
 * snapshot reads a fixed number of documents by `_id` however long the history is. `_id` is
 * `<family>:<granularity>:<bucket>`, e.g. `payments:d:2026-11-23` (local day in SCHEDULE_TIMEZONE)
 * or `webhooks:m5:2026-11-23T14:35Z`; counters live under `c`.
 */
const metricCountSchema = new Schema(
  {
    _id: { type: String, required: true },
    family: { type: String, required: true },
    granularity: { type: String, enum: ['m5', 'h', 'd', 'mo'], required: true },
    bucket: { type: String, required: true },
    c: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'metric_counts', versionKey: false, minimize: false },
);

/**
 * A stored metrics snapshot (seed 000 shape); `latest` is always the newest. Kept as JSON text:
 * its keys are client ids and emails, which are not valid document field names.
 */
const metricSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    generatedAt: { type: Date, required: true },
    snapshotId: { type: String },
    snapshotJson: { type: String, required: true },
  },
  { collection: 'metric_snapshots', versionKey: false },
);

/** Last known state of each dependency, written by the health monitor (one writer). */
const dependencyStatusSchema = new Schema(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    latencyMs: { type: Number, required: true },
    error: { type: String },
    checkedAt: { type: Date, required: true },
    since: { type: Date, required: true },
  },
  { collection: 'dependency_status', versionKey: false },
);

/** Heartbeats of jobs that must report in (the nightly backup); `firstExpectedAt` counts from install. */
const heartbeatSchema = new Schema(
  {
    _id: { type: String, required: true },
    lastAt: { type: Date },
    firstExpectedAt: { type: Date, required: true },
    details: { type: Schema.Types.Mixed },
  },
  { collection: 'heartbeats', versionKey: false },
);

/** OAuth credentials whose expiry the oauth_expiration rule watches (tokens themselves encrypted). */
const oauthCredentialSchema = new Schema(
  {
    _id: { type: String, required: true },
    accessTokenEnc: { type: String },
    refreshTokenEnc: { type: String },
    accessExpiresAt: { type: Date },
    /** When the credential as a whole stops working unless renewed (refresh token / app grant). */
    expiresAt: { type: Date },
    refreshedAt: { type: Date },
    lastError: { type: String },
  },
  { collection: 'oauth_credentials', versionKey: false },
);

export const MetricCount: Model<any> = models.MetricCount ?? model('MetricCount', metricCountSchema);
export const MetricSnapshot: Model<any> = models.MetricSnapshot ?? model('MetricSnapshot', metricSnapshotSchema);
export const DependencyStatus: Model<any> = models.DependencyStatus ?? model('DependencyStatus', dependencyStatusSchema);
export const Heartbeat: Model<any> = models.Heartbeat ?? model('Heartbeat', heartbeatSchema);
export const OAuthCredential: Model<any> = models.OAuthCredential ?? model('OAuthCredential', oauthCredentialSchema);
