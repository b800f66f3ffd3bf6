/**
 * Stock changes as an append-only chain per sku: entry n+1 of `stock_movements` (`_id` `<sku>:<n+1>`)
 * holds the change and the state after it. Appending is an insert of a unique _id, which exactly one
 * concurrent writer wins on MongoDB and on FerretDB v1 (whose conditional updates are a read and a
 * write in separate steps, so `available >= qty` as an update filter would oversell under load).
 * A loser rolls forward to the winner's entry and decides again. `opKey` (unique) makes every
 * change idempotent across activity retries. The `stock` document caches the newest entry.
 */
import { Stock, StockMovement, type StockMovementKind } from '../persistence/models/stock';
import { isDuplicateKey } from '../persistence/connection';

export interface StockChange {
  sku: string;
  kind: StockMovementKind;
  /** Units; for `adjust` a signed delta. */
  quantity: number;
  /** Idempotency key: the same change applied twice is one change. */
  opKey: string;
  orderNumber?: string;
  reason?: string;
}

export interface StockLevels {
  available: number;
  reserved: number;
}

export type StockChangeResult =
  | ({ applied: true; version: number } & StockLevels)
  | ({ applied: false; reason: 'insufficient_stock' | 'no_such_stock' | 'nothing_reserved' } & StockLevels);

const movementId = (sku: string, version: number) => `${sku}:${version}`;

/** The state after `change`, or why it cannot apply. */
function next(levels: StockLevels, version: number, change: StockChange): StockLevels | 'insufficient_stock' | 'no_such_stock' | 'nothing_reserved' {
  const q = change.quantity;
  switch (change.kind) {
    case 'initial':
      return version === 0 ? { available: q, reserved: 0 } : { available: levels.available + q, reserved: levels.reserved };
    case 'reserve':
      if (version === 0) return 'no_such_stock';
      return levels.available >= q ? { available: levels.available - q, reserved: levels.reserved + q } : 'insufficient_stock';
    case 'release':
      return levels.reserved >= q ? { available: levels.available + q, reserved: levels.reserved - q } : 'nothing_reserved';
    case 'commit':
      return levels.reserved >= q ? { available: levels.available, reserved: levels.reserved - q } : 'nothing_reserved';
    case 'restock':
      return { available: levels.available + q, reserved: levels.reserved };
    case 'adjust':
      if (version === 0) return 'no_such_stock';
      return levels.available + q >= 0 ? { available: levels.available + q, reserved: levels.reserved } : 'insufficient_stock';
  }
}

async function alreadyApplied(opKey: string): Promise<StockChangeResult | undefined> {
  const own = await StockMovement.findOne({ opKey }).lean();
  return own ? { applied: true, version: own.version, available: own.available, reserved: own.reserved } : undefined;
}

/** Rolls the cached state forward to the newest entry of the chain. */
async function newest(sku: string): Promise<{ version: number } & StockLevels> {
  const cached = await Stock.findById(sku).lean();
  let cur = cached ? { version: cached.version, available: cached.available, reserved: cached.reserved } : { version: 0, available: 0, reserved: 0 };
  for (;;) {
    const entry = await StockMovement.findById(movementId(sku, cur.version + 1)).lean();
    if (!entry) return cur;
    cur = { version: entry.version, available: entry.available, reserved: entry.reserved };
  }
}

/** Applies one stock change exactly once; linearisable per sku without transactions. */
export async function applyStockChange(change: StockChange): Promise<StockChangeResult> {
  if (!Number.isSafeInteger(change.quantity) || (change.kind !== 'adjust' && change.quantity < 0)) {
    throw new Error(`invalid stock quantity ${change.quantity}`);
  }
  let cur = await newest(change.sku);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const after = next(cur, cur.version, change);
    if (typeof after === 'string') {
      // A retry of a change that did apply must not be refused now that the stock moved on.
      return (await alreadyApplied(change.opKey)) ?? { applied: false, reason: after, available: cur.available, reserved: cur.reserved };
    }
    const version = cur.version + 1;
    try {
      await StockMovement.collection.insertOne({
        _id: movementId(change.sku, version),
        sku: change.sku,
        version,
        kind: change.kind,
        quantity: change.quantity,
        ...after,
        opKey: change.opKey,
        ...(change.orderNumber ? { orderNumber: change.orderNumber } : {}),
        ...(change.reason ? { reason: change.reason } : {}),
        at: new Date(),
      } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const winner = await StockMovement.findById(movementId(change.sku, version)).lean();
      if (winner) {
        // Someone else appended this version first: decide again on their state.
        cur = { version: winner.version, available: winner.available, reserved: winner.reserved };
        continue;
      }
      // The version was free, so the duplicate is our opKey: applied before (a retried activity).
      const own = await alreadyApplied(change.opKey);
      if (own) return own;
      throw err;
    }
    await cacheLevels(change.sku, version, after);
    return { applied: true, version, ...after };
  }
  throw new Error(`stock ${change.sku}: too much contention`);
}

/** Best effort and monotonic: the chain is the truth, the cache only shortens the roll-forward. */
async function cacheLevels(sku: string, version: number, levels: StockLevels) {
  try {
    await Stock.updateOne({ _id: sku, version: { $lt: version } }, { $set: { ...levels, version, updatedAt: new Date() } }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a newer version is cached already
  }
}

/** Current levels of a sku (rolled forward, exact). */
export async function stockLevels(sku: string): Promise<({ version: number } & StockLevels) | undefined> {
  const cur = await newest(sku);
  return cur.version === 0 ? undefined : cur;
}

