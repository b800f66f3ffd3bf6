/** Pure health roll-up, shared by workflows (deterministic) and the API. */
export type HealthLevel = 'ok' | 'degraded' | 'down';

/** How people read the dependency names of probes: alerts, the snapshot, /health/deep. */
export const DEPENDENCY_LABELS: Record<string, string> = { mongodb: 'MongoDB', temporal: 'Temporal', mercadopago: 'MercadoPago API', gohighlevel: 'GoHighLevel API' };

/** Worst status wins. */
export function worstStatus(items: { status: HealthLevel }[]): HealthLevel {
  if (items.some((p) => p.status === 'down')) return 'down';
  if (items.some((p) => p.status === 'degraded')) return 'degraded';
  return 'ok';
}
