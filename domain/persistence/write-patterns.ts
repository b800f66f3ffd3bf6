/**
 * Every MongoDB write pattern of the product, in one place. Domain modules call these; none of
 * them hand-writes a claim, a chain or a compare-and-set of its own.
 *
 * Why these patterns. The embedded database (dev, tests, `npm start`) is FerretDB v1 on SQLite,
 * and production is MongoDB (a replica set). The code is written to the subset both answer
 * correctly, because FerretDB v1 lacks:
 *   - multi-document transactions and retryable writes (the driver must not send a txnNumber:
 *     the FerretDB connection string says `retryWrites=false`; MongoDB keeps the default, on);
 *   - atomic conditional updates: an update with a filter is a read and a write in separate steps,
 *     so two writers can both pass `{version: 3}` or `{available: {$gte: q}}`;
 *   - atomic `$inc` under concurrency (400 concurrent increments of one document kept 18);
 *   - index use for anything but `{_id: x}` (every other filter scans the collection; the `_id`
 *     lookup itself needs the one-line patch infra/install.sh applies);
 *   - TTL and partial indexes, and date operators in aggregation.
 * What it does have, atomically, is the unique index: of two inserts of one `_id`, exactly one
 * wins and the other gets E11000. Every pattern below rests on that.
 *
 * | pattern | used by | on MongoDB |
 * |---|---|---|
 * | insertOnce: the first insert of an `_id` wins | event log, ledger entries, payouts, conversions, attributions, counter claims and shards, rate-limit slots | correct as is; one insert, the same cost as a plain insert |
 * | claimOnce: a unique `_id` names who did a thing first | a payment's move into `approved` (its CRM effects) | correct as is; one insert (plus a read by `_id` on a retry) |
 * | appendToChain: state as an append-only chain of `<key>:<n>` entries | stock per sku | correct; costs one insert per change plus the roll-forward reads, where a conditional `$inc` would do; kept because it also gives the movement history |
 * | compareAndSetByVersion: insert, else update where `version` is unchanged | the payment projection (monotonic by `date_last_updated`) | atomic there; on FerretDB two writers racing within milliseconds can both pass, so effects hang on a claim, never on this write |
 * | writeByRevision: read the revision by `_id`, write if newer | workflow projections (orders, commissions) | correct; the only concurrent writer is the workflow's own retried activity |
 * | cacheNewerVersion: a cache that only moves forward | the stock head cache | correct; a conditional upsert |
 * | counter group commit into per-process shards + per-day claims | metric buckets (./counters.ts): a shard is created by insertOnce, so it has one writer; readers sum shards by `_id` | correct; the group commit only saves round trips |
 * | slot claims: insertOnce of `<limiter>|<key>|<window>|<n>`, n ≤ limit | API rate limits shared by replicas (api/rate-limit-store.ts) | correct; one insert per allowed request where a `$inc` would do |
 * Reads and writes go by `_id` wherever a hot path is involved: that is the one filter FerretDB
 * answers from an index, and it is the cheapest on MongoDB too.
 */
import type { Model } from 'mongoose';

/** E11000: an insert or upsert hit a unique index — the atomic "someone was first" of our claims. */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number })?.code === 11000;

/** A model, or a bare collection (the per-day claims collections of ./counters.ts). */
type Insertable = { insertOne(doc: never): Promise<unknown> };
type Target = Model<any> | Insertable;
const collectionOf = (t: Target): Insertable => ('modelName' in t ? (t.collection as unknown as Insertable) : t);

/** Inserts `doc` unless a document with its `_id` exists: true if this call inserted it. */
export async function insertOnce(target: Target, doc: { _id: string } & Record<string, unknown>): Promise<boolean> {
  try {
    await collectionOf(target).insertOne(doc as never);
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false;
  }
}

/**
 * Claims `_id` for `owner`: true if `owner` holds the claim (it inserted it now, or earlier in a
 * retried attempt). Exactly one owner ever gets true for an `_id`.
 */
export async function claimOnce(model: Model<any>, _id: string, owner: string, fields: Record<string, unknown> = {}): Promise<boolean> {
  if (await insertOnce(model, { _id, ...fields, owner, at: new Date() })) return true;
  const existing = await model.findById(_id, { owner: 1 }).lean<{ owner?: string }>();
  return existing?.owner === owner;
}

/**
 * Insert if new, else compare-and-set on the stored `version`; never regresses to an older one.
 * `previous` is the stored document's `fields` before this write (or the newer one that won).
 */
export async function compareAndSetByVersion<P>(
  model: Model<any>,
  _id: string,
  version: number,
  doc: Record<string, unknown>,
  fields: Record<string, 1>,
): Promise<{ outcome: 'inserted' | 'updated' | 'stale'; previous?: P }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const stored = await model.findById(_id, { ...fields, version: 1 }).lean<P & { version: number }>();
    if (!stored) {
      if (await insertOnce(model, { _id, ...doc, version })) return { outcome: 'inserted' };
      continue; // another writer inserted first: compare against its version
    }
    if (stored.version >= version) return { outcome: 'stale', previous: stored };
    const res = await model.updateOne({ _id, version: stored.version }, { $set: { ...doc, version } });
    if (res.modifiedCount === 1) return { outcome: 'updated', previous: stored };
    // Lost the race to a concurrent writer: re-read and compare again.
  }
  throw new Error(`${model.modelName} ${_id}: too much contention`);
}

/**
 * Writes a workflow's view of an entity unless a newer revision is stored. Read and write are
 * both by `_id` alone. The check-then-write is not atomic; the only concurrent writer of an entity
 * is its own workflow's zombie attempt (an activity retried after a timeout), which this still
 * turns away in practice.
 */
export async function writeByRevision(model: Model<any>, id: string, revision: number, doc: Record<string, unknown>): Promise<void> {
  const stored = await model.findById(id, { revision: 1 }).lean<{ revision?: number }>();
  if (stored && (stored.revision ?? 0) >= revision) return;
  if (!stored && (await insertOnce(model, { _id: id, ...doc, revision }))) return;
  await model.updateOne({ _id: id }, { $set: { ...doc, revision } });
}

/** A cache that only moves forward: written when `version` is newer than the cached one. */
export async function cacheNewerVersion(model: Model<any>, _id: string, version: number, doc: Record<string, unknown>): Promise<void> {
  try {
    await model.updateOne({ _id, version: { $lt: version } }, { $set: { ...doc, version } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a newer version is cached already
  }
}

/** One entry of an append-only chain: the state after the change, and its idempotency key. */
export type ChainEntry<S> = { version: number; opKey: string } & S;

/**
 * Appends one change to the chain `<key>:1`, `<key>:2`, …: entry n+1 holds the state after the
 * change. Appending is an insert of a unique `_id`, which exactly one concurrent writer wins; a
 * loser rolls forward to the winner's entry and decides again. `opKey` (unique index on the
 * entries) makes the change idempotent across retries: a change already applied returns its entry.
 * `decide` returns the next state, or why the change cannot apply (returned as is).
 */
export async function appendToChain<S extends object, Refusal extends string>(chain: {
  entries: Model<any>;
  key: string;
  /** The newest state known without reading the chain (a cache), or version 0 for a new chain. */
  head: () => Promise<{ version: number } & S>;
  state: (entry: ChainEntry<S>) => S;
  decide: (current: { version: number } & S) => S | Refusal;
  opKey: string;
  fields: Record<string, unknown>;
}): Promise<{ applied: true; entry: { version: number } & S } | { applied: false; refusal: Refusal; current: { version: number } & S }> {
  const entryId = (version: number) => `${chain.key}:${version}`;
  const asState = (e: ChainEntry<S>) => ({ version: e.version, ...chain.state(e) });
  const alreadyApplied = async () => {
    const own = await chain.entries.findOne({ opKey: chain.opKey }).lean<ChainEntry<S>>();
    return own ? asState(own) : undefined;
  };
  let cur = await rollForward(chain.entries, entryId, await chain.head(), asState);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const after = chain.decide(cur);
    if (typeof after === 'string') {
      // A retry of a change that did apply must not be refused now that the chain moved on.
      const own = await alreadyApplied();
      return own ? { applied: true, entry: own } : { applied: false, refusal: after, current: cur };
    }
    const version = cur.version + 1;
    if (await insertOnce(chain.entries, { _id: entryId(version), ...chain.fields, version, ...after, opKey: chain.opKey, at: new Date() })) {
      return { applied: true, entry: { version, ...after } };
    }
    const winner = await chain.entries.findById(entryId(version)).lean<ChainEntry<S>>();
    if (winner) {
      // Someone else appended this version first: decide again on their state.
      cur = asState(winner);
      continue;
    }
    // The version was free, so the duplicate is our opKey: applied before (a retried activity).
    const own = await alreadyApplied();
    if (own) return { applied: true, entry: own };
    throw new Error(`chain ${chain.key}: duplicate key on a free version`);
  }
  throw new Error(`chain ${chain.key}: too much contention`);
}

/** The newest state of a chain: from a cached head, follow the entries after it. */
export async function rollForward<S extends object>(
  entries: Model<any>,
  entryId: (version: number) => string,
  head: { version: number } & S,
  asState: (e: ChainEntry<S>) => { version: number } & S,
): Promise<{ version: number } & S> {
  let cur = head;
  for (;;) {
    const entry = await entries.findById(entryId(cur.version + 1)).lean<ChainEntry<S>>();
    if (!entry) return cur;
    cur = asState(entry);
  }
}
