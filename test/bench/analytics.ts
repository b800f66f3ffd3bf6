/**
 * Bench phase — the admin analytics' cost as history grows, on FerretDB: the same reports (last 30
 * days by day and product; last 12 months by month and category; the dashboard's today and this
 * month) at 1× and at 10× the stored history. History grows by days at a constant daily volume
 * (a merchant with more history, not a busier one), so a report over a fixed period should cost
 * the same at both sizes: it reads one sales bucket per day of its period, by `_id`, whatever is
 * stored before it. Buckets are seeded with the increments the counters write when an order is
 * paid or refunded (saleIncrements / refundIncrements), merged per day as the group commit does,
 * and inserted as the documents those increments leave (seeding speed only).
 */
import mongoose from 'mongoose';
import { analyticsRows, daysBetween, dayOf, isoWeek, readSalesDays, refundIncrements, saleIncrements, totalsOf, type Counters, type SaleLine } from '../../domain/analytics/sales';
import { bucketId } from '../../domain/persistence/counters';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { MetricCount } from '../../domain/persistence/models/metric-count';
import type { IntegrationServers } from '../harness/servers';
import { median } from './measure';

const TZ = 'America/Argentina/Buenos_Aires';
const DAY_MS = 86_400_000;
const PRODUCTS = 100;
const CATEGORIES = 12;
const CURRENCIES = ['ARS', 'USD'];

/** Day buckets for days [fromAge, toAge) back from now: `perDay` orders a day, one in ten partly refunded. */
async function seed(fromAge: number, toAge: number, perDay: number, now: number) {
  const BATCH_DAYS = 50;
  for (let start = fromAge; start < toAge; start += BATCH_DAYS) {
    const docs: Record<string, unknown>[] = [];
    for (let age = start; age < Math.min(toAge, start + BATCH_DAYS); age++) {
      const day = dayOf(new Date(now - age * DAY_MS), TZ);
      const inc: Record<string, number> = {};
      const add = (more: Record<string, number>) => {
        for (const [k, v] of Object.entries(more)) inc[k] = (inc[k] ?? 0) + v;
      };
      for (let i = 0; i < perDay; i++) {
        const n = age * perDay + i;
        const items: SaleLine[] = [0, 1, 2].slice(0, 1 + (n % 3)).map((j) => {
          const p = (n * 7 + j * 31) % PRODUCTS;
          const quantity = 1 + ((n + j) % 4);
          return { sku: `SKU-${p}`, quantity, lineTotalMinor: quantity * (1000 + p * 37) };
        });
        const categories = items.map((it) => `cat-${Number(it.sku.slice(4)) % CATEGORIES}`);
        const order = { currency: CURRENCIES[n % CURRENCIES.length], totalMinor: items.reduce((s, it) => s + it.lineTotalMinor, 0), items, fromCart: n % 2 === 0 };
        add(saleIncrements(order, categories));
        if (n % 10 === 0) add(refundIncrements(order, categories, Math.floor(order.totalMinor / 3)));
      }
      // The document the group commit's `$inc`s leave behind, inserted whole (seeding speed only).
      const c: Counters = {};
      for (const [path, v] of Object.entries(inc)) {
        const keys = path.split('.');
        let at = c;
        for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Counters;
        at[keys[keys.length - 1]] = v;
      }
      docs.push({ _id: bucketId('sales', 'd', day), family: 'sales', granularity: 'd', bucket: day, c });
    }
    await MetricCount.collection.insertMany(docs as never[], { ordered: false });
  }
}

export async function benchAnalytics(servers: IntegrationServers, opts: { days: number; perDay: number; reps: number }): Promise<string[]> {
  await connectMongo({ MONGODB_URI: servers.mongoUri('bench-analytics') });
  try {
    const now = Date.now();
    const today = dayOf(new Date(now), TZ);
    const last = (n: number) => daysBetween(dayOf(new Date(now - (n - 1) * DAY_MS), TZ), today);
    // The admin route's work: read the period's day buckets, group and sum.
    const reports = {
      '30 days by day and product': async () => analyticsRows(await readSalesDays(last(30)), (d) => d, 'product'),
      '12 months by month and category': async () => analyticsRows(await readSalesDays(last(365)), (d) => d.slice(0, 7), 'category'),
      '12 weeks by week and product': async () => analyticsRows(await readSalesDays(last(84)), isoWeek, 'product'),
      'dashboard: today and this month': async () => {
        const days = await readSalesDays(daysBetween(`${today.slice(0, 7)}-01`, today));
        return [totalsOf([days.get(today) ?? {}]), totalsOf([...days.values()])];
      },
    };
    const measure = async () => {
      const out: Record<string, number> = {};
      for (const [name, fn] of Object.entries(reports)) {
        await fn(); // warm
        out[name] = await median(opts.reps, fn);
      }
      return out;
    };
    const t0 = performance.now();
    await seed(0, opts.days, opts.perDay, now);
    const seededSmall = performance.now() - t0;
    const small = await measure();
    const t1 = performance.now();
    await seed(opts.days, opts.days * 10, opts.perDay, now);
    const seededLarge = performance.now() - t1;
    const large = await measure();
    const buckets = await MetricCount.countDocuments({ family: 'sales' });
    const orders = (d: number) => (d * opts.perDay >= 1_000_000 ? `${(d * opts.perDay) / 1_000_000}M` : `${(d * opts.perDay) / 1000}k`);
    return [
      `### Admin analytics vs stored history (FerretDB, median of ${opts.reps})`,
      '',
      `| report | 1× history (${opts.days} days, ${orders(opts.days)} orders) | 10× history (${opts.days * 10} days, ${orders(opts.days * 10)} orders) | ratio 10× / 1× |`,
      '|---|---:|---:|---:|',
      ...Object.keys(reports).map((name) => `| ${name} | ${small[name].toFixed(1)} ms | ${large[name].toFixed(1)} ms | **${(large[name] / small[name]).toFixed(2)}×** |`),
      '',
      `${opts.perDay} paid orders a day over ${PRODUCTS} products, ${CATEGORIES} categories and ${CURRENCIES.length} currencies, one in ten partly refunded; ${buckets} sales day buckets at the end; seeding took ${(seededSmall / 1000).toFixed(1)} s + ${(seededLarge / 1000).toFixed(1)} s.`,
      '',
    ];
  } finally {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await disconnectMongo();
  }
}
