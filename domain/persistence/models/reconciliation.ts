import { Schema, model, models, type Model } from 'mongoose';

/**
 * Reconciliation's durable state: one document (`_id` `mercadopago`) with the end of the last
 * completed window (the next run starts there minus the overlap) and the drifting runs in a row.
 * One writer at a time: the Schedule's overlap policy is SKIP; `lastRunId` makes a retried
 * "finish" of the same run a no-op.
 */
const stateSchema = new Schema(
  {
    _id: { type: String, required: true },
    lastWindowEnd: { type: Date, required: true },
    lastRunId: { type: String, required: true },
    consecutiveDriftRuns: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reconciliation_state', versionKey: false },
);

/** One row per reconciliation run (`_id` the run's workflow id): inserted once. */
const runSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** YYYY-MM-DD of the run's start in SCHEDULE_TIMEZONE: the daily report it belongs to. */
    day: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, required: true },
    windowStart: { type: Date, required: true },
    windowEnd: { type: Date, required: true },
    drift: { type: Boolean, required: true },
    counts: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'reconciliation_runs', versionKey: false },
);

/** The daily report (`_id` YYYY-MM-DD in SCHEDULE_TIMEZONE), recomputed from the day's runs after each run. */
const reportSchema = new Schema(
  {
    _id: { type: String, required: true },
    report: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reconciliation_reports', versionKey: false },
);

export const ReconciliationState: Model<any> = models.ReconciliationState ?? model('ReconciliationState', stateSchema);
export const ReconciliationRun: Model<any> = models.ReconciliationRun ?? model('ReconciliationRun', runSchema);
export const ReconciliationReport: Model<any> = models.ReconciliationReport ?? model('ReconciliationReport', reportSchema);
