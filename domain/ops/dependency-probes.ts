import { Context } from '@temporalio/activity';
import type { Config } from '../../common/config';
import { ghlTokenSource } from '../../activities/gohighlevel/oauth';
import { httpPing, mongoPing, PROBE_TIMEOUT_MS, temporalPing, timeProbe, withTimeout, type ProbeResult } from './probes';

type ProbeConfig = Pick<
  Config,
  'MERCADOPAGO_BASE_URL' | 'MERCADOPAGO_ACCESS_TOKEN' | 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_LOCATION_ID' | 'GHL_API_VERSION' | 'ALERT_RULES' | 'GHL_CLIENT_ID' | 'GHL_CLIENT_SECRET' | 'GHL_REFRESH_TOKEN' | 'DATA_ENCRYPTION_KEY'
>;

/**
 * Activities that measure the health of the systems the product depends on. Each probe is one
 * cheap authenticated read; slower than the provider_degraded threshold is degraded, no answer
 * within PROBE_TIMEOUT_MS (or an error status) is down.
 */
export function createProbeActivities(config?: ProbeConfig) {
  const degradedMs = config?.ALERT_RULES.provider_degraded.threshold;
  const slowMs = config?.ALERT_RULES.api_response_time.threshold ?? Infinity;
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
    async probeMongo(): Promise<ProbeResult> {
      return timed('mongodb', () => withTimeout(mongoPing(), PROBE_TIMEOUT_MS));
    },
    async probeTemporal(): Promise<ProbeResult> {
      return timed('temporal', () => withTimeout(temporalPing(Context.current().client), PROBE_TIMEOUT_MS));
    },
    async probeMercadoPago(): Promise<ProbeResult> {
      const c = need();
      return timed('mercadopago', () => httpPing(`${c.MERCADOPAGO_BASE_URL}/v1/payment_methods`, { authorization: `Bearer ${c.MERCADOPAGO_ACCESS_TOKEN}` }));
    },
    async probeGoHighLevel(): Promise<ProbeResult> {
      const c = need();
      return timed('gohighlevel', async () => {
        const token = typeof ghlToken === 'function' ? await ghlToken() : ghlToken;
        await httpPing(`${c.GHL_BASE_URL}/locations/${encodeURIComponent(c.GHL_LOCATION_ID)}`, { authorization: `Bearer ${token}`, version: c.GHL_API_VERSION });
      });
    },
  };
}
