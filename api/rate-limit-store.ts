/**
 * A store for express-rate-limit shared by every API replica, exact on FerretDB v1 and MongoDB.
 *
 * Why not a counter document with `$inc` (rate-limiter-flexible's RateLimiterMongo): on FerretDB v1
 * `$inc` is not atomic under concurrency (two replicas would together allow more than the limit)
 * and there is no TTL index to expire the counters. Instead each allowed request claims one slot:
 * the insert of `_id = <limiter>|<key>|<window start>|<n>` for n = 1..limit, and the unique `_id`
 * (the one atomic primitive there, see domain/persistence/write-patterns.ts) lets exactly one request
 * own each slot. So across all replicas at most `limit` requests per key and window get a slot, and
 * a request is refused only after it saw slot `limit` taken: exactly the limit, not about it.
 *
 * Cost: an allowed request is one insert, plus a few reads by `_id` when another replica took
 * slots since (the next free slot is found by galloping over the existing ones: slots are taken in
 * order, so they are contiguous). A refused request touches the database once per window and
 * replica at most: once a replica saw the window full, it refuses from memory until the window ends.
 * Windows are fixed (aligned to the clock): `Retry-After` is the time to the window's end.
 *
 * Slots live in one collection per UTC day of their window (`rate_limits_YYYYMMDD`), dropped whole
 * two days later (FerretDB has no TTL index; dropping a collection needs no scan). Windows are at
 * most a day. Not backed up (transient by design).
 *
 * When the database does not answer (not connected, or an operation fails: the driver gives up on an
 * unreachable server after the connection's server selection timeout, 5 s) the replica counts in its own memory with the same limit until it answers again: limits stay
 * enforced per replica (N replicas allow at most N × limit during the outage), the request is never
 * answered 5xx because of the limiter, and webhooks (not limited here) are unaffected.
 */
import mongoose from 'mongoose';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { insertOnce } from '../domain/persistence/write-patterns';

export const RATE_LIMIT_COLLECTION_PREFIX = 'rate_limits_';
const DAY_MS = 86_400_000;

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
export const rateLimitCollectionName = (windowStart: number) => `${RATE_LIMIT_COLLECTION_PREFIX}${dayOf(windowStart)}`;


let sweeper: NodeJS.Timeout | undefined;
/** Drops the slot collections of days before yesterday, every 10 minutes, in each replica (idempotent). */
function startSweeper() {
  if (sweeper) return;
  const sweep = async () => {
    if (mongoose.connection.readyState !== 1) return;
    const db = mongoose.connection.db!;
    const oldest = dayOf(Date.now() - DAY_MS);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    for (const n of names) if (n.startsWith(RATE_LIMIT_COLLECTION_PREFIX) && n.slice(RATE_LIMIT_COLLECTION_PREFIX.length) < oldest) await db.dropCollection(n).catch(() => undefined);
  };
  sweeper = setInterval(() => void sweep().catch(() => undefined), 10 * 60_000);
  sweeper.unref();
}

export class SharedSlotStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private limit = 1;
  /** Per key and window: the highest slot this replica knows to be taken (a lower bound). */
  private known = new Map<string, number>();
  /** Fallback counts while the database does not answer. */
  private local = new Map<string, number>();
  /** How many requests were counted in memory because the database failed (for tests and logs). */
  fallbacks = 0;
  private queues = new Map<string, Promise<number>>();

  constructor(readonly prefix: string) {}

  init(options: Options) {
    this.windowMs = options.windowMs;
    if (this.windowMs > DAY_MS) throw new Error('SharedSlotStore windows are at most a day');
    if (typeof options.limit !== 'number') throw new Error('SharedSlotStore needs a fixed numeric limit');
    this.limit = options.limit;
    startSweeper();
  }

  private window(now = Date.now()) {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    return { start, resetTime: new Date(start + this.windowMs) };
  }

  private forget(start: number) {
    // Entries of past windows are of no use; the maps stay as small as the live keys.
    for (const m of [this.known, this.local]) {
      if (m.size < 1000) continue;
      for (const k of m.keys()) if (Number(k.slice(k.lastIndexOf('|') + 1)) < start) m.delete(k);
    }
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { start, resetTime } = this.window();
    const id = `${this.prefix}|${key}|${start}`;
    this.forget(start);
    const known = this.known.get(id) ?? 0;
    if (known >= this.limit) return { totalHits: this.limit + 1, resetTime };
    if (mongoose.connection.readyState === 1) {
      try {
        // One claim at a time per key in this replica: concurrent requests of one client then
        // collide only with other replicas' claims, not with each other.
        const prev = this.queues.get(id) ?? Promise.resolve(0);
        const mine = prev.catch(() => 0).then(() => this.claim(id, start, this.known.get(id) ?? 0));
        this.queues.set(id, mine);
        const taken = await mine.finally(() => this.queues.get(id) === mine && this.queues.delete(id));
        return { totalHits: taken, resetTime };
      } catch {
        // The database failed (unreachable: the driver gives up after the connection's server
        // selection timeout): count here, below, rather than refuse or fail the request.
        this.fallbacks++;
      }
    }
    const n = (this.local.get(id) ?? 0) + 1;
    this.local.set(id, n);
    return { totalHits: n, resetTime };
  }

  /** Takes the next free slot ≤ limit; returns its number, or limit + 1 when the window is full. */
  private async claim(id: string, start: number, known: number): Promise<number> {
    if (known >= this.limit) return this.limit + 1;
    const slots = mongoose.connection.db!.collection<{ _id: string }>(rateLimitCollectionName(start));
    const exists = async (n: number) => n <= known || (await slots.findOne({ _id: `${id}|${n}` }, { projection: { _id: 1 } })) !== null;
    let lo = known; // slot lo is taken (or lo = 0)
    for (;;) {
      // Gallop past slots other replicas took, then binary-search the first free one.
      let step = 1;
      while (lo + step <= this.limit && (await exists(lo + step))) {
        lo += step;
        step *= 2;
      }
      let hi = Math.min(lo + step, this.limit + 1); // first slot known free, or past the limit
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (await exists(mid)) lo = mid;
        else hi = mid;
      }
      this.known.set(id, Math.max(this.known.get(id) ?? 0, lo));
      if (hi > this.limit) {
        this.known.set(id, this.limit);
        return this.limit + 1;
      }
      if (await insertOnce(slots, { _id: `${id}|${hi}`, at: new Date() })) {
        this.known.set(id, Math.max(this.known.get(id) ?? 0, hi));
        return hi;
      }
      lo = hi; // another replica took it a moment ago
      known = hi;
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { start, resetTime } = this.window();
    const id = `${this.prefix}|${key}|${start}`;
    const n = Math.max(this.known.get(id) ?? 0, this.local.get(id) ?? 0);
    return n ? { totalHits: n, resetTime } : undefined;
  }

  /** Not used by our limiters (they count every request); a taken slot is never given back. */
  decrement(_key: string) {}

  async resetKey(key: string) {
    const { start } = this.window();
    const id = `${this.prefix}|${key}|${start}`;
    this.known.delete(id);
    this.local.delete(id);
    if (mongoose.connection.readyState === 1) {
      await mongoose.connection.db!.collection(rateLimitCollectionName(start)).deleteMany({ _id: { $regex: `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\|` } } as never);
    }
  }
}
