/** Pure health roll-up, shared by workflows (deterministic) and the API. */
export type HealthLevel = 'ok' | 'degraded' | 'down';

/** Worst status wins. */
export function worstStatus(items: { status: HealthLevel }[]): HealthLevel {
  if (items.some((p) => p.status === 'down')) return 'down';
  if (items.some((p) => p.status === 'degraded')) return 'degraded';
  return 'ok';
}
