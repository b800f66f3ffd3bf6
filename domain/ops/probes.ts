import mongoose from 'mongoose';
import type { Client } from '@temporalio/client';
import type { HealthLevel } from '../../common/health-status';

export type ProbeStatus = HealthLevel;
export interface ProbeResult {
  name: string;
  status: ProbeStatus;
  latencyMs: number;
  error?: string;
  /** Slower than the api_response_time rule's threshold (set by the ops probes). */
  slow?: boolean;
}

/** Above this a dependency that answers is reported degraded (seed 001: slow is not down). */
export const DEGRADED_AFTER_MS = 1000;
/** A probe with no answer by then counts as down. */
export const PROBE_TIMEOUT_MS = 5000;

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

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

export function temporalPing(client: Pick<Client, 'connection'>): Promise<unknown> {
  return client.connection.workflowService.getSystemInfo({});
}

/** An authenticated GET that must answer 2xx: proves reachability and that the credentials work. */
export async function httpPing(url: string, headers: Record<string, string>, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
}
