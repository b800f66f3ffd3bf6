/**
 * Bench phase 4 — the metrics snapshot's cost as history grows, on FerretDB: the snapshot (time
 * buckets read by `_id`) at 10k stored payments and again at 1M, next to the naive alternative
 * (today's totals by scanning the payments collection) measured on the same data in the same run.
 * History grows by days at a constant daily volume (a merchant with more history, not a busier
 * one): 10k payments is 10 days, 1M is 1000 days. Buckets are written with the same labels and
 * increments the counters write as events happen, merged per bucket (what the group commit does),
 * and only those the product's retention keeps (5-minute buckets 3 days, hour buckets 62 days).
 */
import mongoose from 'mongoose';
import { createMetricsActivities } from '../../activities/mongodb/ops';
import { parseConfig } from '../../common/config';
import { bucketId, bucketOf, counterKey, type Granularity } from '../../domain/persistence/counters';
import { MetricCount } from '../../domain/persistence/models/metric-count';
import { Payment } from '../../domain/persistence/models/payment';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import type { IntegrationServers } from '../harness/servers';
import { median } from './measure';

const TZ = 'America/Argentina/Buenos_Aires';
const DAY_MS = 86_400_000;
const PER_DAY = 1000;
const BATCH = 10_000;

async function seed(from: number, to: number, now: number) {
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH);
    const payments: Record<string, unknown>[] = [];
    const buckets = new Map<string, { granularity: Granularity; bucket: string; inc: Record<string, number> }>();
    for (let i = start; i < end; i++) {
      // Day i/PER_DAY back, spread over that day; newest first, so "today" always has some.
      const at = new Date(now - Math.floor(i / PER_DAY) * DAY_MS - (i % PER_DAY) * (DAY_MS / PER_DAY));
      const status = i % 10 === 0 ? 'rejected' : 'approved';
      const amountMinor = 1000 + (i % 50_000);
      const email = `client${i % 500}@example.com`;
      payments.push({ _id: `bench-${i}`, paymentId: `bench-${i}`, status, amountMinor, currency: 'ARS', payerEmail: email, dateApproved: status === 'approved' ? at : null, dateLastUpdated: at, version: at.getTime() });
      const age = now - at.getTime();
      const granularities: Granularity[] = ['d', 'mo'];
      if (age < 62 * DAY_MS) granularities.push('h');
      if (age < 3 * DAY_MS) granularities.push('m5');
      for (const g of granularities) {
        const bucket = bucketOf(at, g, TZ);
        const id = bucketId('payments', g, bucket);
        const b = buckets.get(id) ?? { granularity: g, bucket, inc: {} };
        const add = (k: string, v: number) => (b.inc[k] = (b.inc[k] ?? 0) + v);
        add(`count.${status}`, 1);
        if (status === 'approved') {
          add('amount.ARS', amountMinor);
          if (g === 'd') add(`client.${counterKey(email)}`, 1); // as countEvent's dayInc
        }
        buckets.set(id, b);
      }
    }
    await Payment.collection.insertMany(payments as never[], { ordered: false });
    await MetricCount.bulkWrite(
      [...buckets].map(([_id, b]) => ({
        updateOne: {
          filter: { _id },
          update: { $inc: Object.fromEntries(Object.entries(b.inc).map(([k, v]) => [`c.${k}`, v])), $setOnInsert: { family: 'payments', granularity: b.granularity, bucket: b.bucket } },
          upsert: true,
        },
      })),
    );
  }
}

export async function benchMetrics(servers: IntegrationServers, opts: { small: number; large: number; reps: number }): Promise<string[]> {
  await connectMongo({ MONGODB_URI: servers.mongoUri('bench-metrics') });
  try {
    const metrics = createMetricsActivities(parseConfig({ SCHEDULE_TIMEZONE: TZ } as NodeJS.ProcessEnv));
    const now = Date.now();
    const startOfToday = new Date(now - (now % 86_400_000));
    const snapshot = () => metrics.computeMetricsSnapshot();
    // What a snapshot would cost without buckets: today's approved total by reading the payments.
    const scan = async () => {
      let total = 0;
      for await (const p of Payment.find({ status: 'approved', dateApproved: { $gte: startOfToday } }, { amountMinor: 1 }).lean().cursor()) total += p.amountMinor ?? 0;
      return total;
    };
    const t0 = performance.now();
    await seed(0, opts.small, now);
    const seededSmall = performance.now() - t0;
    const small = { snapshot: await median(opts.reps, snapshot), scan: await median(opts.reps, scan) };
    const t1 = performance.now();
    await seed(opts.small, opts.large, now);
    const seededLarge = performance.now() - t1;
    const large = { snapshot: await median(opts.reps, snapshot), scan: await median(Math.min(opts.reps, 3), scan) };
    const buckets = await MetricCount.countDocuments();
    const k = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
    return [
      `### Metrics snapshot vs stored history (FerretDB, median of ${opts.reps})`,
      '',
      `| payments stored | snapshot (buckets by _id) | today's total by scanning payments |`,
      '|---|---|---|',
      `| ${k(opts.small)} | ${small.snapshot.toFixed(1)} ms | ${small.scan.toFixed(1)} ms |`,
      `| ${k(opts.large)} | ${large.snapshot.toFixed(1)} ms | ${large.scan.toFixed(1)} ms |`,
      `| **ratio t(${k(opts.large)}) / t(${k(opts.small)})** | **${(large.snapshot / small.snapshot).toFixed(2)}×** | **${(large.scan / small.scan).toFixed(1)}×** |`,
      '',
      `History grows at ${PER_DAY} payments a day (${opts.small / PER_DAY} days, then ${opts.large / PER_DAY} days); ${buckets} bucket documents at the end; seeding took ${(seededSmall / 1000).toFixed(1)} s + ${(seededLarge / 1000).toFixed(1)} s.`,
      '',
    ];
  } finally {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await disconnectMongo();
  }
}
