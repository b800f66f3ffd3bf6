/**
 * Metric counters, written as events happen into time buckets (common/models/metric-count.ts).
 *
 * Two facts of the embedded FerretDB v1 shape this: it has no date operators (so no aggregation by
 * time at read), and `$inc` is not atomic there (400 concurrent `$inc` on one document kept 18).
 * So each process funnels its increments through one writer that merges them and writes one
 * `$inc` per bucket document at a time (a group commit: the caller's promise settles when the
 * write holding its increment has landed). A retried activity counts once: its increment is claimed
 * first under a key (the activity's identity), in a per-day claims collection dropped by retention.
 *
 * Several processes (N workers, N APIs) write the same families, so a bucket is stored as shards,
 * one per writing process: shard 0 is `<bucketId>`, shard n is `<bucketId>~<n>`. A process takes
 * the first shard of a bucket it can create (an insert: the unique `_id` decides, the one atomic
 * primitive of FerretDB) and from then on is that shard's only writer, so its `$inc`s never race.
 * Shards are created in order (shard n is tried only after shard n-1 was seen), so a reader sums
 * shards 0, 1, 2, ... by `_id` until the first missing one (readCounters). A bucket has as many
 * shards as processes that wrote it during its span (a restarted process takes a new one): one or
 * two per worker/API for m5 and hour buckets, a few dozen at most for a month. Exact on FerretDB
 * and MongoDB alike; no process is special, and no setting names the writers.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose from 'mongoose';
import { MetricCount } from './models/metric-count';
import { insertOnce } from './write-patterns';

export type Granularity = 'm5' | 'h' | 'd' | 'mo';
/**
 * Families: payments, webhooks (outcomes of the notification workflows) and health are written by
 * workers; security (refused deliveries) and deliveries (deliveries the API answers itself: ignored
 * types and topics) by APIs; sales (domain/analytics/sales.ts: paid orders, their refunds and
 * chargebacks) by workers. Any number of each may run (see the shards above).
 */
export type MetricFamily = 'payments' | 'webhooks' | 'security' | 'health' | 'deliveries' | 'sales';

const pad = (n: number) => String(n).padStart(2, '0');

// One formatter per time zone: building an Intl.DateTimeFormat costs ~1 ms of CPU (measured as
// 2 ms per processed webhook in the worker's profile), formatting with it microseconds.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day and month of `at` in `timeZone` ("today" and "this month" are the merchant's). */
export function localDay(at: Date, timeZone: string): { day: string; month: string } {
  let format = dayFormats.get(timeZone);
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { day: `${get('year')}-${get('month')}-${get('day')}`, month: `${get('year')}-${get('month')}` };
}

/** The bucket label of `at` at a granularity: m5 and h in UTC, d and mo in the business time zone. */
export function bucketOf(at: Date, granularity: Granularity, timeZone: string): string {
  switch (granularity) {
    case 'm5':
      return `${at.toISOString().slice(0, 14)}${pad(Math.floor(at.getUTCMinutes() / 5) * 5)}Z`;
    case 'h':
      return `${at.toISOString().slice(0, 13)}Z`;
    case 'd':
      return localDay(at, timeZone).day;
    case 'mo':
      return localDay(at, timeZone).month;
  }
}

export const bucketId = (family: MetricFamily, granularity: Granularity, bucket: string) => `${family}:${granularity}:${bucket}`;

/** Counter names are document paths: dots and dollars in free text (emails) are escaped. */
export const counterKey = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');
export const counterKeyText = (k: string) => decodeURIComponent(k);

interface PendingDoc {
  family: MetricFamily;
  granularity: Granularity;
  bucket: string;
  inc: Record<string, number>;
}

/** The `_id` of shard `n` of a bucket (shard 0 is the bucket id itself, as before shards existed). */
export const shardId = (bucketDocId: string, n: number) => (n === 0 ? bucketDocId : `${bucketDocId}~${n}`);

/** This process's identity as a counter writer: the owner of the shards it creates. */
const WRITER_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

type Counters = Record<string, any>;

function addInto(into: Counters, from: Counters | undefined): Counters {
  for (const [k, v] of Object.entries(from ?? {})) {
    if (typeof v === 'number') into[k] = (into[k] ?? 0) + v;
    else if (v && typeof v === 'object') addInto((into[k] ??= {}), v);
  }
  return into;
}

/**
 * The counters of each bucket (ids from bucketId), summed over its shards; `{}` for a bucket never
 * written. Reads by `_id` only (the one filter FerretDB answers from its index), a few shards at a time.
 */
export async function readCounters(bucketDocIds: Iterable<string>, batch = 4): Promise<Map<string, Counters>> {
  const out = new Map<string, Counters>();
  await Promise.all(
    [...new Set(bucketDocIds)].map(async (id) => {
      const total: Counters = {};
      for (let from = 0; ; from += batch) {
        const docs = await Promise.all(Array.from({ length: batch }, (_, i) => MetricCount.findById(shardId(id, from + i), { c: 1 }).lean<{ c?: Counters }>()));
        const missing = docs.findIndex((d) => !d);
        for (const d of missing === -1 ? docs : docs.slice(0, missing)) addInto(total, d!.c);
        if (missing !== -1) break;
      }
      out.set(id, total);
    }),
  );
  return out;
}

/** One per process: merges increments and writes them one batch at a time, each bucket to this process's own shard. */
class CounterWriter {
  private pending = new Map<string, PendingDoc>();
  /** bucket id → the shard this process owns in it. */
  private shards = new Map<string, number>();
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running: Promise<void> | undefined;

  add(docs: Map<string, PendingDoc>): Promise<void> {
    for (const [id, d] of docs) {
      const into = this.pending.get(id);
      if (!into) this.pending.set(id, { ...d, inc: { ...d.inc } });
      else for (const [k, v] of Object.entries(d.inc)) into.inc[k] = (into.inc[k] ?? 0) + v;
    }
    const settled = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return settled;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        const owned = await Promise.all([...batch].map(async ([id, d]) => [await this.shardOf(id, d), d] as const));
        await MetricCount.bulkWrite(
          owned.map(([_id, d]) => ({
            updateOne: {
              filter: { _id },
              update: {
                $inc: Object.fromEntries(Object.entries(d.inc).map(([k, v]) => [`c.${k}`, v])),
                $setOnInsert: { family: d.family, granularity: d.granularity, bucket: d.bucket },
              },
              upsert: true,
            },
          })),
          { ordered: true },
        );
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = undefined;
  }

  /** The `_id` of this process's shard of a bucket: the first shard it manages to create. */
  private async shardOf(id: string, d: PendingDoc): Promise<string> {
    const known = this.shards.get(id);
    if (known !== undefined) return shardId(id, known);
    for (let n = 0; ; n++) {
      // Taken: another process's shard (or this one's before a restart); try the next.
      if (!(await insertOnce(MetricCount, { _id: shardId(id, n), family: d.family, granularity: d.granularity, bucket: d.bucket, writer: WRITER_ID, c: {} }))) continue;
      this.shards.set(id, n);
      // Buckets are short-lived except months: forget old ones so the map stays small.
      if (this.shards.size > 10_000) this.shards.delete(this.shards.keys().next().value!);
      return shardId(id, n);
    }
  }
}

const writer = new CounterWriter();

export const claimsCollectionName = (at: Date) => `metric_claims_${at.toISOString().slice(0, 10).replace(/-/g, '')}`;

/**
 * Adds `inc` to the family's buckets for `at` at each granularity. With a `claimKey`, the same key
 * counts once (an activity retried after its write landed); the claim is released if the write fails.
 */
export async function countEvent(input: {
  family: MetricFamily;
  at: Date;
  granularities: Granularity[];
  inc: Record<string, number>;
  /** Added to the day bucket only: per-entity counters (clients) that would bloat every other bucket. */
  dayInc?: Record<string, number>;
  timeZone: string;
  claimKey?: string;
}): Promise<boolean> {
  const claims = input.claimKey ? mongoose.connection.collection(claimsCollectionName(input.at)) : undefined;
  if (claims && !(await insertOnce(claims, { _id: input.claimKey!, at: new Date() }))) return false;
  const docs = new Map<string, PendingDoc>();
  for (const g of input.granularities) {
    const bucket = bucketOf(input.at, g, input.timeZone);
    const inc = g === 'd' && input.dayInc ? { ...input.inc, ...input.dayInc } : input.inc;
    docs.set(bucketId(input.family, g, bucket), { family: input.family, granularity: g, bucket, inc });
  }
  try {
    await writer.add(docs);
    return true;
  } catch (err) {
    await claims?.deleteOne({ _id: input.claimKey as never }).catch(() => undefined);
    throw err;
  }
}

/** Webhook processing-time histogram edges (ms); p95 is read from it. */
export const DURATION_EDGES_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

export function durationBucket(ms: number): string {
  const edge = DURATION_EDGES_MS.find((e) => ms <= e);
  return edge === undefined ? 'le_inf' : `le_${edge}`;
}
