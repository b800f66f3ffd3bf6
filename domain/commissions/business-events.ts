import { BusinessEvent } from '../persistence/models/business-event';
import { insertOnce } from '../persistence/write-patterns';

export interface BusinessEventInput {
  tipo_evento: string;
  /** The entity the event is about; with the type it makes the event's id. */
  entityId: string;
  afiliado_id?: string;
  campana_id?: string;
  conversion_id?: string;
  comision_id?: string;
  datos?: Record<string, unknown>;
  origen: string;
  at?: Date;
}

/** Appends one event in seed 004's shape; the same event twice (a retry) is one row. */
export async function appendBusinessEvent(e: BusinessEventInput): Promise<void> {
  await insertOnce(BusinessEvent, {
    _id: `evt_${e.entityId}_${e.tipo_evento}`,
    tipo_evento: e.tipo_evento,
    fecha_evento: e.at ?? new Date(),
    ...(e.afiliado_id ? { afiliado_id: e.afiliado_id } : {}),
    ...(e.campana_id ? { campana_id: e.campana_id } : {}),
    ...(e.conversion_id ? { conversion_id: e.conversion_id } : {}),
    ...(e.comision_id ? { comision_id: e.comision_id } : {}),
    datos: e.datos ?? {},
    metadatos: { version: '1.0', origen: e.origen },
  });
}
