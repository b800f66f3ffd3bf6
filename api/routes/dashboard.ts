/**
 * The NOC dashboard's API (seed 000): the overview from the latest stored metrics snapshot,
 * realtime figures computed from the time buckets now, alerts and incidents, and a check on demand.
 * Responses keep the seed's envelope: `{ status: 'success', data }`.
 */
import type { Client } from '@temporalio/client';
import type { MetricsSnapshot } from '../../contracts/ops';
import { metricsSnapshots } from '../../domain/ops/metrics-snapshot';
import type { Config } from '../../common/config';
import { Alert } from '../../domain/persistence/models/alert';
import { Incident } from '../../domain/persistence/models/incident';
import { MaintenanceWindowModel } from '../../domain/persistence/models/maintenance-window';
import { SEVERITIES } from '../../common/ops-policy';
import { requireStaff } from '../auth/principal';
import { presentIncident } from './incidents';
import { latestSnapshot, runMetricsCheck } from './ops-metrics';
import { apiRouter } from '../request-guards';

/**
 * Realtime answers are shared for this long: a wall of dashboards refreshing costs one computation.
 * Replica-safe as it is: a read-through cache of figures computed from the shared database (the
 * metric buckets), never written to, so each API replica holds its own copy at most this old; two
 * replicas can differ by at most this much, as two refreshes a few seconds apart would.
 */
const REALTIME_CACHE_MS = 5000;

export function dashboardRouter(deps: { config: Config; temporal: Client }) {
  const router = apiRouter();
  const viewer = requireStaff('viewer');
  const metrics = metricsSnapshots(deps.config);
  let realtime: { at: number; value: Promise<MetricsSnapshot> } | undefined;
  const current = () => {
    if (!realtime || Date.now() - realtime.at > REALTIME_CACHE_MS) {
      const value = metrics.computeMetricsSnapshot().then((r) => r.snapshot);
      value.catch(() => (realtime = undefined));
      realtime = { at: Date.now(), value };
    }
    return realtime.value;
  };

  router.get('/dashboard/overview', viewer, async (_req, res) => {
    const latest = await latestSnapshot();
    const s: MetricsSnapshot = JSON.parse(latest.snapshotJson);
    const ageSeconds = Math.round((Date.now() - Date.parse(s.metadata.generated_at)) / 1000);
    res.json({
      status: 'success',
      data: {
        financials: s.financials,
        performance: s.performance,
        system_health: s.system_health,
        security: s.security,
        trends: s.trends,
        metadata: { ...s.metadata, snapshot_id: latest.snapshotId ?? null, age_seconds: ageSeconds, stale: ageSeconds > deps.config.METRICS_INTERVAL_MINUTES * 60 * 2 + 60, credentials: s.credentials, heartbeats: s.heartbeats },
      },
    });
  });

  router.get('/dashboard/metrics/realtime', viewer, async (_req, res) => {
    const s = await current();
    const openIncidents = await Incident.countDocuments({ status: { $in: ['triggered', 'acknowledged'] } });
    res.json({
      status: 'success',
      data: {
        timestamp: s.metadata.generated_at,
        payments_per_minute: s.performance.payments_per_minute,
        payments_last_hour: s.performance.payments_last_hour,
        webhooks_last_hour: s.performance.webhooks_last_hour,
        webhook_success_rate: s.performance.webhook_success_rate,
        webhook_avg_response_time: s.performance.webhook_avg_response_time,
        webhook_p95_response_time: s.performance.webhook_p95_response_time,
        processed_today: s.financials.total_processed_today,
        refunded_today: s.financials.refunded_today,
        charged_back_today: s.financials.charged_back_today,
        net_processed_today: s.financials.net_processed_today,
        approval_rate: s.financials.approval_rate,
        threats_last_hour: s.security.threats_last_hour,
        threat_level: s.security.threat_level,
        services: s.system_health.services.map((x) => ({ name: x.name, status: x.status, response_time_ms: x.response_time_ms })),
        open_incidents: openIncidents,
        computation_ms: s.metadata.computation_ms,
      },
    });
  });

  router.get('/dashboard/alerts', viewer, async (_req, res) => {
    const now = new Date();
    const [incidents, alerts, windows] = await Promise.all([
      Incident.find({ status: { $in: ['triggered', 'acknowledged'] } }).sort({ openedAt: -1 }).limit(100).lean(),
      Alert.find({}).sort({ lastAt: -1 }).limit(50).lean(),
      MaintenanceWindowModel.find({}).lean(),
    ]);
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, incidents.filter((i) => i.severity === s).length]));
    res.json({
      status: 'success',
      data: {
        summary: { open_incidents: incidents.length, unacknowledged: incidents.filter((i) => i.status === 'triggered').length, by_severity: bySeverity, open_alerts: alerts.filter((a) => a.status === 'open').length },
        incidents: incidents.map((d) => presentIncident(deps.config, d)),
        recent_alerts: alerts.map((a) => ({
          dedup_key: a.dedupKey,
          rule: a.rule,
          severity: a.severity,
          message: a.message,
          status: a.status,
          count: a.count,
          first_at: a.firstAt,
          last_at: a.lastAt,
          resolved_at: a.resolvedAt ?? null,
          suppressed: a.suppressed ?? null,
        })),
        maintenance_windows: [...deps.config.MAINTENANCE_WINDOWS.map((w) => ({ ...w, source: 'config' })), ...windows.map((w: any) => ({ start: w.start, end: w.end, rules: w.rules, reason: w.reason, source: 'api' }))].filter((w) => new Date(w.end) > now),
      },
    });
  });

  router.post('/dashboard/alerts/check', requireStaff('operator'), async (_req, res) => {
    const r = await runMetricsCheck(deps.temporal);
    res.json({
      status: 'success',
      data: {
        checked_at: r.snapshot.metadata.generated_at,
        alerts: r.alerts.map((a) => ({ dedup_key: a.dedupKey, rule: a.rule, outcome: a.outcome })),
        cleared: r.cleared,
        fired: r.alerts.length,
      },
    });
  });

  return router;
}
