import { Schema, model, models, type Model } from 'mongoose';

/** A maintenance window added through the API (those in MAINTENANCE_WINDOWS come from config). */
const maintenanceWindowSchema = new Schema(
  {
    _id: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    rules: { type: [String], default: [] },
    reason: { type: String, default: '' },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'maintenance_windows', versionKey: false },
);

export const MaintenanceWindowModel: Model<any> = models.MaintenanceWindow ?? model('MaintenanceWindow', maintenanceWindowSchema);
