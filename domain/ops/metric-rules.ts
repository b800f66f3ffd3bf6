/**
 * The alert rules of seed 000 (plus heartbeat_missed), evaluated over a metrics snapshot. Pure:
 * the metrics workflow stays deterministic and each rule is tested on its own. A rule that holds
 * is raised under its dedup key; one that no longer holds is cleared (auto-resolving its incident).
 */
import type { AlertToRaise, MetricsSnapshot } from '../../contracts/ops';
import type { AlertRules } from '../../common/ops-policy';

export interface RuleOutcome {
  raise: AlertToRaise[];
  clear: { dedupKey: string; note: string }[];
}

export function metricAlerts(s: MetricsSnapshot, rules: AlertRules): RuleOutcome {
  const out: RuleOutcome = { raise: [], clear: [] };
  const check = (name: keyof AlertRules, dedupKey: string, holds: boolean, alert: () => Omit<AlertToRaise, 'dedupKey' | 'rule' | 'source'>) => {
    if (!rules[name].enabled) return;
    if (holds) out.raise.push({ dedupKey, rule: name, source: 'metrics', ...alert() });
    else out.clear.push({ dedupKey, note: `${name.replace(/_/g, ' ')} is back under its threshold` });
  };

  const wh = s.performance.webhooks_last_hour;
  const whRate = wh.total > 0 ? (wh.failed / wh.total) * 100 : 0;
  const r1 = rules.webhook_error_rate;
  check('webhook_error_rate', 'webhook-error-rate', wh.total >= r1.minSample && whRate > r1.threshold, () => ({
    title: 'High Webhook Error Rate Detected',
    message: `Webhook error rate is ${whRate.toFixed(1)}% (threshold: ${r1.threshold.toFixed(1)}%)`,
    details: { current_value: Math.round(whRate * 10) / 10, threshold: r1.threshold, total_webhooks: wh.total, failed_webhooks: wh.failed, period: 'last_hour' },
  }));

  const threats = s.security.threats_last_hour;
  const r2 = rules.security_threat;
  check('security_threat', 'security-threat', threats >= r2.threshold, () => ({
    title: 'Multiple Security Threats Detected',
    message: `${threats} security threats in the last hour (threshold: ${r2.threshold})`,
    details: { current_value: threats, threshold: r2.threshold, by_type: s.security.invalid_signatures_last_hour, period: 'last_hour' },
  }));

  const r3 = rules.oauth_expiration;
  for (const cred of s.credentials) {
    check('oauth_expiration', `oauth-expiration:${cred.name}`, cred.days_left !== null && cred.days_left < r3.threshold, () => ({
      title: `OAuth credentials of ${cred.name} expire soon`,
      message: `${cred.name} credentials expire in ${cred.days_left} days (${cred.expires_at}); threshold: ${r3.threshold} days`,
      details: { current_value: cred.days_left, threshold: r3.threshold, expires_at: cred.expires_at, last_error: cred.last_error },
    }));
  }

  const p = s.performance.payments_last_hour;
  const decided = p.approved + p.rejected;
  const failRate = decided > 0 ? (p.rejected / decided) * 100 : 0;
  const r4 = rules.payment_failure_rate;
  check('payment_failure_rate', 'payment-failure-rate', decided >= r4.minSample && failRate > r4.threshold, () => ({
    title: 'High Payment Failure Rate',
    message: `Payment failure rate is ${failRate.toFixed(1)}% (threshold: ${r4.threshold.toFixed(1)}%)`,
    details: { current_value: Math.round(failRate * 10) / 10, threshold: r4.threshold, approved: p.approved, rejected: p.rejected, period: 'last_hour' },
  }));

  const r6 = rules.system_overload;
  const perMinute = s.performance.payments_per_minute;
  check('system_overload', 'system-overload', perMinute > r6.threshold, () => ({
    title: 'System Overload',
    message: `${perMinute} payments per minute (threshold: ${r6.threshold})`,
    details: { current_value: perMinute, threshold: r6.threshold, period: 'last_5_minutes' },
  }));

  const r7 = rules.heartbeat_missed;
  for (const beat of s.heartbeats) {
    check('heartbeat_missed', `heartbeat-missed:${beat.name}`, beat.hours_since > r7.threshold, () => ({
      title: `No ${beat.name} heartbeat for ${Math.floor(beat.hours_since)} h`,
      message: `The ${beat.name} job last reported ${beat.last_at ?? 'never'}; expected within ${r7.threshold} h`,
      details: { current_value: beat.hours_since, threshold: r7.threshold, last_at: beat.last_at },
    }));
  }
  return out;
}
