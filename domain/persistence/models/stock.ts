import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * Stock per sku: a cache of the newest entry of its movement chain (stock_movements), which is the
 * truth. `version` is that entry's number; readers roll forward from it (see activities/mongo/stock.ts).
 */
const stockSchema = new Schema(
  {
    /** sku */
    _id: { type: String, required: true },
    available: { type: Number, required: true, min: 0 },
    reserved: { type: Number, required: true, min: 0 },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'stock', versionKey: false },
);

export type StockDoc = InferSchemaType<typeof stockSchema>;
export const Stock: Model<StockDoc> = (models.Stock as Model<StockDoc>) ?? model<StockDoc>('Stock', stockSchema);

export const STOCK_MOVEMENT_KINDS = ['initial', 'adjust', 'reserve', 'release', 'commit', 'restock'] as const;
export type StockMovementKind = (typeof STOCK_MOVEMENT_KINDS)[number];

/**
 * One change of one sku's stock, and the state after it. `_id` is `<sku>:<version>`: appending
 * version n+1 is an insert that only one writer can win, on MongoDB and FerretDB alike, so stock
 * changes are linearisable without transactions or atomic conditional updates. `opKey` (unique)
 * makes each change idempotent: a retried activity finds its own entry instead of applying twice.
 */
const stockMovementSchema = new Schema(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    version: { type: Number, required: true },
    kind: { type: String, enum: STOCK_MOVEMENT_KINDS, required: true },
    quantity: { type: Number, required: true },
    available: { type: Number, required: true, min: 0 },
    reserved: { type: Number, required: true, min: 0 },
    opKey: { type: String, required: true, unique: true },
    orderNumber: { type: String },
    reason: { type: String },
    at: { type: Date, required: true },
  },
  { collection: 'stock_movements', versionKey: false },
);

export type StockMovementDoc = InferSchemaType<typeof stockMovementSchema>;
export const StockMovement: Model<StockMovementDoc> =
  (models.StockMovement as Model<StockMovementDoc>) ?? model<StockMovementDoc>('StockMovement', stockMovementSchema);
