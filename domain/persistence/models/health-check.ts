import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/** One dependency probe result inside a health snapshot. */
const probeSchema = new Schema(
  {
    name: { type: String, required: true },
    status: { type: String, enum: ['ok', 'degraded', 'down'], required: true },
    latencyMs: { type: Number, required: true },
    error: { type: String },
  },
  { _id: false },
);

/** A health snapshot written by the ops health-check workflow (one per run). */
const healthCheckSchema = new Schema(
  {
    checkId: { type: String, required: true, unique: true },
    status: { type: String, enum: ['ok', 'degraded', 'down'], required: true },
    probes: { type: [probeSchema], required: true },
    checkedAt: { type: Date, required: true, index: true },
  },
  { collection: 'health_checks', versionKey: false },
);

export type HealthCheckDoc = InferSchemaType<typeof healthCheckSchema>;
export const HealthCheck: Model<HealthCheckDoc> =
  (models.HealthCheck as Model<HealthCheckDoc>) ?? model<HealthCheckDoc>('HealthCheck', healthCheckSchema);
