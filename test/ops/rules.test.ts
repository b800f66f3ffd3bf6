/**
 * The pure parts of alerting: seed 000's rules over a snapshot, probe results to dependency
 * alerts, the on-call rotation, maintenance windows, and the ops policy read from the environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsSnapshot } from '../../contracts/ops';
import { ConfigError, parseConfig } from '../../common/config';
import { DEFAULT_ALERT_RULES, DEFAULT_ONCALL_ROTATION, maintenanceCovering, onCallAt } from '../../common/ops-policy';
import { healthAlerts } from '../../domain/ops/health-rules';
import { metricAlerts } from '../../domain/ops/metric-rules';

function snapshot(over: { webhooks?: [number, number]; threats?: number; payments?: [number, number]; perMinute?: number; daysLeft?: number | null; backupHours?: number } = {}): MetricsSnapshot {
  const [total, failed] = over.webhooks ?? [0, 0];
  const [approved, rejected] = over.payments ?? [0, 0];
  return {
    financials: {
      total_processed_today: {},
      total_processed_month: {},
      refunded_today: {},
      refunded_month: {},
      charged_back_today: {},
      charged_back_month: {},
      net_processed_today: {},
      net_processed_month: {},
      refunds_today: 0,
      chargebacks_today: 0,
      payments_pending: 0, payments_approved: approved, payments_rejected: rejected, approval_rate: null },
    performance: {
      payment_success_rate: null,
      webhook_success_rate: null,
      webhook_avg_response_time: null,
      webhook_p95_response_time: null,
      webhooks_last_hour: { total, succeeded: total - failed, ignored: 0, failed },
      payments_last_hour: { approved, rejected, total: approved + rejected },
      payments_per_minute: over.perMinute ?? 0,
      transactions_per_client: {},
    },
    system_health: { services: [] },
    security: { invalid_signatures_last_hour: {}, threats_last_hour: over.threats ?? 0, top_threats: [], threat_level: 'low' },
    trends: { hourly_volume: [], daily_revenue: [] },
    credentials: over.daysLeft === undefined ? [] : [{ name: 'gohighlevel', expires_at: null, days_left: over.daysLeft }],
    heartbeats: [{ name: 'backup', last_at: null, hours_since: over.backupHours ?? 1 }],
    metadata: { generated_at: '', timezone: 'UTC', buckets_read: 0, computation_ms: 0, period: { today: '', month: '' } },
  };
}
const raised = (s: MetricsSnapshot, rules = DEFAULT_ALERT_RULES) => metricAlerts(s, rules).raise.map((a) => a.rule).sort();

test('seed 000 thresholds: each rule fires just above its threshold and not at it', () => {
  assert.deepEqual(raised(snapshot()), []);
  assert.deepEqual(raised(snapshot({ webhooks: [120, 22] })), ['webhook_error_rate'], '18.3 % > 15 %');
  assert.deepEqual(raised(snapshot({ webhooks: [100, 15] })), [], 'exactly 15 % is not above');
  assert.deepEqual(raised(snapshot({ webhooks: [5, 5] })), [], 'below the minimum sample');
  assert.deepEqual(raised(snapshot({ threats: 5 })), ['security_threat'], '≥ 5 per hour');
  assert.deepEqual(raised(snapshot({ threats: 4 })), []);
  assert.deepEqual(raised(snapshot({ daysLeft: 6 })), ['oauth_expiration']);
  assert.deepEqual(raised(snapshot({ daysLeft: 7 })), []);
  assert.deepEqual(raised(snapshot({ payments: [89, 11] })), ['payment_failure_rate'], '11 % > 10 %');
  assert.deepEqual(raised(snapshot({ payments: [90, 10] })), []);
  assert.deepEqual(raised(snapshot({ perMinute: 100.2 })), ['system_overload']);
  assert.deepEqual(raised(snapshot({ perMinute: 100 })), []);
  assert.deepEqual(raised(snapshot({ backupHours: 27 })), ['heartbeat_missed']);
  const alert = metricAlerts(snapshot({ webhooks: [120, 22] }), DEFAULT_ALERT_RULES).raise[0];
  assert.equal(alert.message, 'Webhook error rate is 18.3% (threshold: 15.0%)');
  assert.deepEqual(alert.details, { current_value: 18.3, threshold: 15, total_webhooks: 120, failed_webhooks: 22, period: 'last_hour' });
  // A rule that does not hold is cleared (its incident auto-resolves); a disabled one does neither.
  assert.ok(metricAlerts(snapshot(), DEFAULT_ALERT_RULES).clear.some((c) => c.dedupKey === 'webhook-error-rate'));
  const disabled = { ...DEFAULT_ALERT_RULES, security_threat: { ...DEFAULT_ALERT_RULES.security_threat, enabled: false } };
  assert.deepEqual(raised(snapshot({ threats: 50 }), disabled), []);
});

test('probe results → dependency alerts: down, degraded, slow and recovery each with their key', () => {
  const out = healthAlerts([
    { name: 'mongodb', status: 'down', latencyMs: 5000, error: 'no answer' },
    { name: 'gohighlevel', status: 'degraded', latencyMs: 6200, slow: true },
    { name: 'mercadopago', status: 'ok', latencyMs: 120 },
  ]);
  assert.deepEqual(out.raise.map((a) => [a.dedupKey, a.rule, a.severity ?? 'rule default']), [
    ['dependency-down:mongodb', 'database_down', 'critical'],
    ['dependency-degraded:gohighlevel', 'provider_degraded', 'rule default'],
    ['api-response-time:gohighlevel', 'api_response_time', 'rule default'],
  ]);
  const cleared = out.clear.map((c) => c.dedupKey);
  for (const k of ['dependency-degraded:mongodb', 'dependency-down:gohighlevel', 'dependency-down:mercadopago', 'dependency-degraded:mercadopago', 'api-response-time:mercadopago']) assert.ok(cleared.includes(k), k);
  assert.ok(!cleared.includes('api-response-time:mongodb'), 'a dependency that is down says nothing about its speed');
});

test('on-call rotation: weekly primary/secondary from startsAt, then the escalation list', () => {
  const start = Date.parse(DEFAULT_ONCALL_ROTATION.startsAt);
  const week = (n: number) => new Date(start + n * 7 * 86_400_000 + 3_600_000);
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(0), 1).person.email, 'ana.oncall@pagosflow.local');
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(0), 2).person.email, 'bruno.oncall@pagosflow.local');
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(1), 1).person.email, 'bruno.oncall@pagosflow.local');
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(2), 1).person.email, 'ana.oncall@pagosflow.local');
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(-1), 1).person.email, 'bruno.oncall@pagosflow.local', 'before startsAt too');
  assert.equal(onCallAt(DEFAULT_ONCALL_ROTATION, week(0), 3).person.email, 'carla.lead@pagosflow.local');
  assert.deepEqual(onCallAt(DEFAULT_ONCALL_ROTATION, week(0), 9).level, 3, 'past the last level: the last level');
});

test('maintenance windows cover their rules and time only', () => {
  const windows = [{ start: '2026-11-23T00:00:00Z', end: '2026-11-23T02:00:00Z', rules: ['provider_degraded'], reason: 'MP' }];
  assert.ok(maintenanceCovering(windows, 'provider_degraded', new Date('2026-11-23T01:00:00Z')));
  assert.equal(maintenanceCovering(windows, 'database_down', new Date('2026-11-23T01:00:00Z')), undefined);
  assert.equal(maintenanceCovering(windows, 'provider_degraded', new Date('2026-11-23T02:00:00Z')), undefined, 'end is exclusive');
});

test('ops policy from the environment: JSON overrides merge with the defaults; bad JSON is refused naming the variable', () => {
  const c = parseConfig({ ALERT_RULES: '{"webhook_error_rate":{"threshold":20}}', ESCALATION_MATRIX: '{"critical":{"escalateMinutes":20}}' } as NodeJS.ProcessEnv);
  assert.equal(c.ALERT_RULES.webhook_error_rate.threshold, 20);
  assert.equal(c.ALERT_RULES.webhook_error_rate.severity, 'critical');
  assert.equal(c.ALERT_RULES.security_threat.threshold, 5);
  assert.deepEqual(c.ESCALATION_MATRIX.critical, { respondMinutes: 15, escalateMinutes: 20, channels: ['sms', 'email', 'slack'] });
  assert.deepEqual(c.ESCALATION_MATRIX.low, { respondMinutes: 1440, escalateMinutes: 2880, channels: ['digest'] });
  const refused = (env: Record<string, string>) => {
    try {
      parseConfig(env as NodeJS.ProcessEnv);
    } catch (err) {
      return (err as ConfigError).problems.join('\n');
    }
    return '';
  };
  assert.match(refused({ ALERT_RULES: '{not json' }), /^ALERT_RULES is not valid JSON/);
  assert.match(refused({ ALERT_RULES: '{"no_such_rule":{}}' }), /ALERT_RULES/);
  assert.match(refused({ ONCALL_ROTATION: '{"startsAt":"2026-01-01T00:00:00Z","weeks":[]}' }), /ONCALL_ROTATION\.weeks/);
  assert.match(refused({ MAINTENANCE_WINDOWS: '[{"start":"yesterday","end":"2026-01-01T00:00:00Z"}]' }), /MAINTENANCE_WINDOWS\.0\.start/);
});
