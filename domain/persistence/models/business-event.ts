import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * The affiliate platform's event log, in seed 004's shapes (tipo_evento, fecha_evento, ids, datos,
 * metadatos). Appended by the workflows' activities and the API; `_id` is deterministic per entity
 * and event type, so an activity retry does not log twice.
 */
const businessEventSchema = new Schema(
  {
    /** evt_<entity id>_<tipo> */
    _id: { type: String, required: true },
    tipo_evento: { type: String, required: true, index: true },
    fecha_evento: { type: Date, required: true, index: true },
    afiliado_id: { type: String },
    campana_id: { type: String },
    conversion_id: { type: String },
    comision_id: { type: String },
    datos: { type: Schema.Types.Mixed },
    metadatos: { type: Schema.Types.Mixed },
  },
  { collection: 'events', versionKey: false },
);

export type BusinessEventDoc = InferSchemaType<typeof businessEventSchema>;
export const BusinessEvent: Model<BusinessEventDoc> = (models.BusinessEvent as Model<BusinessEventDoc>) ?? model<BusinessEventDoc>('BusinessEvent', businessEventSchema);
