/**
 * Stock per sku as an append-only chain of `stock_movements` (`_id` `<sku>:<n>`), each entry the
 * change and the levels after it (domain/persistence/write-patterns.ts, appendToChain: a
 * conditional `available >= qty` update would oversell under load on FerretDB v1). `opKey` makes
 * every change idempotent across activity retries. The `stock` document caches the newest entry.
 */
import { Stock, StockMovement, type StockMovementKind } from '../persistence/models/stock';
import { appendToChain, cacheNewerVersion, rollForward, type ChainEntry } from '../persistence/write-patterns';

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

const movementId = (sku: string) => (version: number) => `${sku}:${version}`;
const levelsOf = (e: ChainEntry<StockLevels>): StockLevels => ({ available: e.available, reserved: e.reserved });

/** The cached newest levels of a sku (version 0: no stock yet). */
async function cachedHead(sku: string): Promise<{ version: number } & StockLevels> {
  const cached = await Stock.findById(sku).lean();
  return cached ? { version: cached.version, available: cached.available, reserved: cached.reserved } : { version: 0, available: 0, reserved: 0 };
}

/** Applies one stock change exactly once; linearisable per sku without transactions. */
export async function applyStockChange(change: StockChange): Promise<StockChangeResult> {
  if (!Number.isSafeInteger(change.quantity) || (change.kind !== 'adjust' && change.quantity < 0)) {
    throw new Error(`invalid stock quantity ${change.quantity}`);
  }
  const result = await appendToChain<StockLevels, Exclude<ReturnType<typeof next>, StockLevels>>({
    entries: StockMovement,
    key: change.sku,
    head: () => cachedHead(change.sku),
    state: levelsOf,
    decide: (cur) => next(cur, cur.version, change),
    opKey: change.opKey,
    fields: { sku: change.sku, kind: change.kind, quantity: change.quantity, ...(change.orderNumber ? { orderNumber: change.orderNumber } : {}), ...(change.reason ? { reason: change.reason } : {}) },
  });
  if (!result.applied) return { applied: false, reason: result.refusal, available: result.current.available, reserved: result.current.reserved };
  const { version, available, reserved } = result.entry;
  // Best effort and monotonic: the chain is the truth, the cache only shortens the roll-forward.
  await cacheNewerVersion(Stock, change.sku, version, { available, reserved, updatedAt: new Date() });
  return { applied: true, version, available, reserved };
}

/** Current levels of a sku (rolled forward, exact). */
export async function stockLevels(sku: string): Promise<({ version: number } & StockLevels) | undefined> {
  const cur = await rollForward(StockMovement, movementId(sku), await cachedHead(sku), (e) => ({ version: e.version, ...levelsOf(e) }));
  return cur.version === 0 ? undefined : cur;
}
