/**
 * The metrics snapshot of seed 000 (financials, performance, system_health, security, trends,
 * metadata), computed from time buckets only: a fixed set of documents read by `_id`, so its cost
 * does not grow with the number of payments stored (see `npm run bench`, metrics phase).
 */
import type { Config } from '../../common/config';
import { DEPENDENCY_LABELS } from '../../common/health-status';
import { bucketId, bucketOf, counterKeyText, readCounters, DURATION_EDGES_MS, localDay, type Granularity, type MetricFamily } from '../persistence/counters';
import { DependencyStatus, Heartbeat, MetricSnapshot, OAuthCredential } from '../persistence/models/metric-count';
import { formatMinorUnits, isCurrency } from '../../common/money';
import type { MetricsSnapshot } from '../../contracts/ops';
import type { AlertRules } from '../../common/ops-policy';

type Counters = Record<string, any>;


const THREAT_DESCRIPTIONS: Record<string, string> = { INVALID_WEBHOOK_SIGNATURE: 'Webhooks con firma inválida detectados' };

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 100 : null);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

function money(byCurrency: Counters | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, minor] of Object.entries(byCurrency ?? {})) {
    const cur = counterKeyText(k);
    out[cur] = isCurrency(cur) ? Number(formatMinorUnits(num(minor), cur)) : num(minor) / 100;
  }
  return out;
}

/** What stays with us per currency (minor units): gross − refunded − charged back + reimbursed chargebacks. */
function netOf(b: Counters): Counters {
  const out: Counters = {};
  const add = (from: Counters | undefined, sign: number) => {
    for (const [k, v] of Object.entries(from ?? {})) out[k] = num(out[k]) + sign * num(v);
  };
  add(b.amount as Counters, 1);
  add(b.refunded as Counters, -1);
  add(b.chargedBack as Counters, -1);
  add(b.reimbursed as Counters, 1);
  return out;
}

function addInto(into: Counters, from: Counters | undefined) {
  for (const [k, v] of Object.entries(from ?? {})) {
    if (typeof v === 'number') into[k] = (into[k] ?? 0) + v;
    else if (v && typeof v === 'object') addInto((into[k] ??= {}), v);
  }
  return into;
}

/** Computes the snapshot from the buckets (the metrics workflow and the dashboard), and stores it. */
export function metricsSnapshots(config: Pick<Config, 'SCHEDULE_TIMEZONE' | 'ALERT_RULES'>) {
  const tz = config.SCHEDULE_TIMEZONE;
  return {
    async computeMetricsSnapshot(): Promise<{ snapshot: MetricsSnapshot; rules: AlertRules }> {
      const started = performance.now();
      const now = new Date();
      const ids = new Set<string>();
      const id = (family: MetricFamily, g: Granularity, at: Date) => {
        const i = bucketId(family, g, bucketOf(at, g, tz));
        ids.add(i);
        return i;
      };
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const last12x5min = Array.from({ length: 12 }, (_, i) => ago(i * 300_000));
      const last24h = Array.from({ length: 24 }, (_, i) => ago((23 - i) * 3_600_000));
      const last7d = Array.from({ length: 7 }, (_, i) => ago((6 - i) * 86_400_000));
      const plan = {
        today: id('payments', 'd', now),
        month: id('payments', 'mo', now),
        payments5: last12x5min.map((t) => id('payments', 'm5', t)),
        webhooks5: last12x5min.map((t) => id('webhooks', 'm5', t)),
        deliveries5: last12x5min.map((t) => id('deliveries', 'm5', t)),
        security5: last12x5min.map((t) => id('security', 'm5', t)),
        hours: last24h.map((t) => id('payments', 'h', t)),
        days: last7d.map((t) => id('payments', 'd', t)),
        health: id('health', 'd', now),
      };
      // Reads by _id only (each bucket's shards, one per writing process): FerretDB answers exactly this filter without a scan.
      const docs = (await readCounters(ids)) as Map<string, Counters>;
      const c = (i: string) => docs.get(i) ?? {};
      const merged = (list: string[]) => list.reduce((acc, i) => addInto(acc, c(i)), {} as Counters);

      const today = c(plan.today);
      const approvedToday = num(today.count?.approved);
      const rejectedToday = num(today.count?.rejected);
      const pay1h = merged(plan.payments5);
      // Outcomes of the notification workflows (worker), plus the deliveries the API ignored itself.
      const wh1h = addInto(merged(plan.webhooks5), merged(plan.deliveries5));
      const sec1h = merged(plan.security5);
      const whTotal = num(wh1h.succeeded) + num(wh1h.ignored) + num(wh1h.failed);
      const histogram = DURATION_EDGES_MS.map((e) => num(wh1h.duration?.[`le_${e}`]));
      const durationCount = num(wh1h.duration_count);
      let p95: number | null = null;
      if (durationCount > 0) {
        let seen = 0;
        const idx = histogram.findIndex((n) => (seen += n) >= durationCount * 0.95);
        p95 = idx === -1 ? DURATION_EDGES_MS[DURATION_EDGES_MS.length - 1] : DURATION_EDGES_MS[idx];
      }
      const lastBucket = c(plan.payments5[0]);
      const prevBucket = c(plan.payments5[1]);
      // The busiest of the current and the previous full 5-minute bucket, per minute.
      const perMinute = Math.max(sum(Object.values(lastBucket.count ?? {}).map(num)), sum(Object.values(prevBucket.count ?? {}).map(num))) / 5;
      const clients = Object.entries(today.client ?? {})
        .map(([k, v]) => [counterKeyText(k), num(v)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10);

      const [statuses, credentials, backupBeat] = await Promise.all([
        DependencyStatus.find({}).lean<any[]>(),
        OAuthCredential.find({}, { accessTokenEnc: 0, refreshTokenEnc: 0 }).lean<any[]>(),
        // Counts from the first snapshot after install: a backup that never ran is missed too.
        // A read, and the one-time write only while the row does not exist yet (dashboards call this too).
        Heartbeat.findById('backup')
          .lean<any>()
          .then((beat) => beat ?? Heartbeat.findOneAndUpdate({ _id: 'backup' }, { $setOnInsert: { firstExpectedAt: now } }, { upsert: true, returnDocument: 'after' }).lean<any>()),
      ]);
      const health = c(plan.health);
      const services = ['mercadopago', 'gohighlevel', 'mongodb', 'temporal'].map((name) => {
        const s = statuses.find((x) => x._id === name);
        const h = health[name] ?? {};
        return {
          name: DEPENDENCY_LABELS[name],
          status: (s ? (s.status === 'ok' ? 'healthy' : s.status) : 'unknown') as MetricsSnapshot['system_health']['services'][number]['status'],
          response_time_ms: s ? s.latencyMs : null,
          uptime_percentage: pct(num(h.up), num(h.checks)),
          checked_at: s ? new Date(s.checkedAt).toISOString() : null,
          ...(s?.error ? { error: s.error } : {}),
        };
      });

      const threats = Object.entries(sec1h)
        .filter(([, v]) => typeof v === 'number' && v > 0)
        .map(([k, v]) => ({ threat_type: counterKeyText(k), count: v as number }))
        .sort((a, b) => b.count - a.count);
      const threatsTotal = sum(threats.map((t) => t.count));
      const securityRule = config.ALERT_RULES.security_threat.threshold;
      const threatLevel = threatsTotal >= securityRule * 2 ? 'critical' : threatsTotal >= securityRule ? 'high' : threatsTotal > 0 ? 'medium' : 'low';
      const beatAt = backupBeat?.lastAt ?? backupBeat?.firstExpectedAt ?? now;

      const snapshot: MetricsSnapshot = {
        financials: {
          total_processed_today: money(today.amount),
          total_processed_month: money(c(plan.month).amount),
          // The money story: gross above, what went back (refunds by their own date, chargebacks), what stays.
          refunded_today: money(today.refunded),
          refunded_month: money(c(plan.month).refunded),
          charged_back_today: money(today.chargedBack),
          charged_back_month: money(c(plan.month).chargedBack),
          net_processed_today: money(netOf(today)),
          net_processed_month: money(netOf(c(plan.month))),
          refunds_today: num(today.refunds),
          chargebacks_today: num(today.chargebacks),
          payments_pending: num(today.count?.pending) + num(today.count?.in_process),
          payments_approved: approvedToday,
          payments_rejected: rejectedToday,
          approval_rate: pct(approvedToday, approvedToday + rejectedToday),
        },
        performance: {
          payment_success_rate: pct(num(pay1h.count?.approved), num(pay1h.count?.approved) + num(pay1h.count?.rejected)),
          webhook_success_rate: pct(num(wh1h.succeeded) + num(wh1h.ignored), whTotal),
          webhook_avg_response_time: durationCount > 0 ? Math.round((num(wh1h.duration_ms_sum) / durationCount) * 10) / 10 : null,
          webhook_p95_response_time: p95,
          webhooks_last_hour: { total: whTotal, succeeded: num(wh1h.succeeded), ignored: num(wh1h.ignored), failed: num(wh1h.failed) },
          payments_last_hour: { approved: num(pay1h.count?.approved), rejected: num(pay1h.count?.rejected), total: sum(Object.values(pay1h.count ?? {}).map(num)) },
          payments_per_minute: perMinute,
          transactions_per_client: Object.fromEntries(clients),
        },
        system_health: { services },
        security: {
          invalid_signatures_last_hour: Object.fromEntries(threats.map((t) => [t.threat_type, t.count])),
          threats_last_hour: threatsTotal,
          top_threats: threats.slice(0, 5).map((t) => ({ ...t, severity: t.count >= securityRule ? 'HIGH' : 'MEDIUM', description: THREAT_DESCRIPTIONS[t.threat_type] ?? t.threat_type })),
          threat_level: threatLevel,
        },
        trends: {
          hourly_volume: plan.hours.map((i, n) => {
            const h = c(i);
            return { hour: last24h[n].toISOString().slice(0, 13) + ':00Z', payments: sum(Object.values(h.count ?? {}).map(num)), approved: num(h.count?.approved), amount: money(h.amount) };
          }),
          daily_revenue: plan.days.map((i, n) => ({ date: localDay(last7d[n], tz).day, amount: money(c(i).amount), refunded: money(c(i).refunded), net: money(netOf(c(i))), approved: num(c(i).count?.approved) })),
        },
        credentials: credentials.map((cr) => ({
          name: cr._id,
          expires_at: cr.expiresAt ? new Date(cr.expiresAt).toISOString() : null,
          days_left: cr.expiresAt ? Math.floor((new Date(cr.expiresAt).getTime() - now.getTime()) / 86_400_000) : null,
          ...(cr.lastError ? { last_error: cr.lastError } : {}),
        })),
        heartbeats: [{ name: 'backup', last_at: backupBeat?.lastAt ? new Date(backupBeat.lastAt).toISOString() : null, hours_since: Math.round(((now.getTime() - new Date(beatAt).getTime()) / 3_600_000) * 100) / 100 }],
        metadata: {
          generated_at: now.toISOString(),
          timezone: tz,
          buckets_read: ids.size,
          computation_ms: Math.round(performance.now() - started),
          period: { today: bucketOf(now, 'd', tz), month: bucketOf(now, 'mo', tz) },
        },
      };
      return { snapshot, rules: config.ALERT_RULES };
    },

    /** Keeps the snapshot (by the run that computed it) and `latest`, which the dashboard reads. */
    async saveMetricsSnapshot(input: { snapshotId: string; snapshot: MetricsSnapshot }): Promise<void> {
      const generatedAt = new Date(input.snapshot.metadata.generated_at);
      const snapshotJson = JSON.stringify(input.snapshot);
      await MetricSnapshot.updateOne({ _id: input.snapshotId }, { $set: { generatedAt, snapshotJson } }, { upsert: true });
      await MetricSnapshot.updateOne({ _id: 'latest' }, { $set: { generatedAt, snapshotJson, snapshotId: input.snapshotId } }, { upsert: true });
    },
  };
}
