import mongoose from 'mongoose';
import type { HealthLevel } from '../../common/health-status';

export type ProbeStatus = HealthLevel;
export interface ProbeResult {
  name: string;
  status: ProbeStatus;
  latencyMs: number;
  error?: string;
}

/** Above this a dependency that answers is reported degraded (seed 001: slow is not down). */
export const DEGRADED_AFTER_MS = 1000;

/** Times one probe; a throw means down, a slow answer means degraded. */
export async function timeProbe(name: string, probe: () => Promise<unknown>, degradedAfterMs = DEGRADED_AFTER_MS): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await probe();
    const latencyMs = Math.round(performance.now() - started);
    return { name, status: latencyMs > degradedAfterMs ? 'degraded' : 'ok', latencyMs };
  } catch (err) {
    return { name, status: 'down', latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

export function mongoPing(): Promise<unknown> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return Promise.reject(new Error('not connected'));
  return db.admin().ping();
}

