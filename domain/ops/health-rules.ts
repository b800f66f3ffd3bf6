/**
 * From probe results to alerts: pure, so the health monitor stays deterministic and the mapping
 * is tested on its own. ok → degraded → down and back: each level has its own dedup key, and a
 * level no longer true is cleared (its incident resolved with a recovery notice).
 */
import type { AlertToRaise, ProbeResult } from '../../contracts/ops';
import { DEPENDENCY_LABELS } from '../../common/health-status';

const downRule = (name: string) => (name === 'mongodb' ? 'database_down' : name === 'temporal' ? 'temporal_unreachable' : 'provider_degraded');

export const dependencyAlertKeys = (name: string) => ({
  down: `dependency-down:${name}`,
  degraded: `dependency-degraded:${name}`,
  slow: `api-response-time:${name}`,
});

export function healthAlerts(results: ProbeResult[]): { raise: AlertToRaise[]; clear: { dedupKey: string; note: string }[] } {
  const raise: AlertToRaise[] = [];
  const clear: { dedupKey: string; note: string }[] = [];
  for (const r of results) {
    const label = DEPENDENCY_LABELS[r.name] ?? r.name;
    const keys = dependencyAlertKeys(r.name);
    const details = { dependency: r.name, status: r.status, latency_ms: r.latencyMs, error: r.error };
    const recovered = `${label} is ${r.status} again (${r.latencyMs} ms)`;
    if (r.status === 'down') {
      raise.push({ dedupKey: keys.down, rule: downRule(r.name), severity: 'critical', title: `${label} is down`, message: `${label} did not answer: ${r.error ?? 'no answer'}`, source: 'health-monitor', details });
      clear.push({ dedupKey: keys.degraded, note: `${label} is down now (its own incident)` });
    } else {
      clear.push({ dedupKey: keys.down, note: recovered });
      if (r.status === 'degraded') {
        raise.push({ dedupKey: keys.degraded, rule: 'provider_degraded', title: `${label} is degraded`, message: `${label} answered in ${r.latencyMs} ms`, source: 'health-monitor', details });
      } else {
        clear.push({ dedupKey: keys.degraded, note: recovered });
      }
    }
    if (r.slow) {
      raise.push({ dedupKey: keys.slow, rule: 'api_response_time', title: `${label} responds slowly`, message: `${label} response time is ${r.latencyMs} ms`, source: 'health-monitor', details });
    } else if (r.status !== 'down') {
      clear.push({ dedupKey: keys.slow, note: recovered });
    }
  }
  return { raise, clear };
}
