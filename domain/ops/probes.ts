/**
 * Measuring the systems the product depends on. Each probe is one cheap authenticated read; slower
 * than the provider_degraded threshold is degraded, no answer within PROBE_TIMEOUT_MS (or an error
 * status) is down. Used by the health monitor's activities and by the API's /health routes.
 */
import mongoose from 'mongoose';
import type { Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import type { ProbeResult } from '../../contracts/ops';
import { ghlTokenSource } from '../crm/gohighlevel-credentials';

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

export type ProbeConfig = Pick<
  Config,
  'MERCADOPAGO_BASE_URL' | 'MERCADOPAGO_ACCESS_TOKEN' | 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_LOCATION_ID' | 'GHL_API_VERSION' | 'ALERT_RULES' | 'GHL_CLIENT_ID' | 'GHL_CLIENT_SECRET' | 'GHL_REFRESH_TOKEN' | 'DATA_ENCRYPTION_KEY'
>;

/**
 * The four dependency probes with the configured thresholds (the api_response_time rule marks a
 * slow answer). Without a config only MongoDB and Temporal can be probed.
 */
export function dependencyProbes(config?: ProbeConfig) {
  const degradedMs = config?.ALERT_RULES.provider_degraded.threshold;
  const slowMs = config?.ALERT_RULES.api_response_time.threshold ?? Infinity;
  // A probe must wait past the "slow" threshold, or a slow answer is reported down and the
  // api_response_time rule can never fire.
  const timeoutMs = Number.isFinite(slowMs) ? Math.max(PROBE_TIMEOUT_MS, slowMs + PROBE_TIMEOUT_MS) : PROBE_TIMEOUT_MS;
  const timed = async (name: string, probe: () => Promise<unknown>): Promise<ProbeResult> => {
    const r = await timeProbe(name, probe, degradedMs);
    return { ...r, slow: r.status !== 'down' && r.latencyMs > slowMs };
  };
  const ghlToken = config ? ghlTokenSource(config) : undefined;
  const need = () => {
    if (!config) throw new Error('provider probes need the config');
    return config;
  };
  return {
    probeMongo: (): Promise<ProbeResult> => timed('mongodb', () => withTimeout(mongoPing(), timeoutMs)),
    probeTemporal: (client: Pick<Client, 'connection'>): Promise<ProbeResult> => timed('temporal', () => withTimeout(temporalPing(client), timeoutMs)),
    probeMercadoPago: (): Promise<ProbeResult> => {
      const c = need();
      return timed('mercadopago', () => httpPing(`${c.MERCADOPAGO_BASE_URL}/v1/payment_methods`, { authorization: `Bearer ${c.MERCADOPAGO_ACCESS_TOKEN}` }, timeoutMs));
    },
    probeGoHighLevel: (): Promise<ProbeResult> => {
      const c = need();
      return timed('gohighlevel', async () => {
        const token = typeof ghlToken === 'function' ? await ghlToken() : ghlToken;
        await httpPing(`${c.GHL_BASE_URL}/locations/${encodeURIComponent(c.GHL_LOCATION_ID)}`, { authorization: `Bearer ${token}`, version: c.GHL_API_VERSION }, timeoutMs);
      });
    },
  };
}
