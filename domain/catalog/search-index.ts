/**
 * The storefront's product search (seed 003 §5.7): a MiniSearch index in memory, one per API
 * process — fuzzy (typos), prefix (while typing) and accent-insensitive (every term is folded:
 * NFD, diacritics stripped, lower case, so "telefono" finds "Teléfono"), with autoSuggest.
 *
 * Freshness across replicas: every catalog write changes the catalog revision token
 * (./revision.ts). Each process polls that one document by `_id` every SEARCH_REFRESH_MS and, when
 * it moved, re-reads the products updated since the newest `updatedAt` it has seen (minus an
 * overlap that absorbs writers' clock skew and writes that land out of order) and updates its
 * index incrementally (discard, then add the product if it is for sale). Re-applying a product is
 * harmless, so the overlap costs only a few repeated documents. Works the same on FerretDB and
 * MongoDB: reads by `_id` and a plain range filter, no change streams (FerretDB v1 has none).
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { Product, type ProductDoc } from '../persistence/models/product';
import { currentCatalogToken } from './revision';

/** What the index keeps per product, to filter, facet and present without a database read. */
export type IndexedProduct = Pick<ProductDoc, '_id' | 'name' | 'description' | 'priceMinor' | 'currency' | 'active' | 'category' | 'categoryPath' | 'images' | 'rating' | 'createdAt' | 'updatedAt'>;

export interface SearchFilters {
  category?: string;
  /** Major units of the product's currency (decimal), inclusive. */
  priceMin?: number;
  priceMax?: number;
  currency?: string;
}

/** Folds a term for indexing and querying alike: "Teléfonos" → "telefonos". */
export const foldTerm = (term: string): string =>
  term
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

const OVERLAP_MS = 60_000;
/** Major units; seed 003's price_ranges. The last is open-ended. */
export const PRICE_RANGES: [number, number | null][] = [
  [0, 100],
  [100, 500],
  [500, 1000],
  [1000, 5000],
  [5000, 10000],
  [10000, 50000],
  [50000, null],
];
const EXPONENT: Record<string, number> = { ARS: 2, BRL: 2, MXN: 2, UYU: 2, PEN: 2, USD: 2, CLP: 0, COP: 0 };
export const majorUnits = (p: Pick<IndexedProduct, 'priceMinor' | 'currency'>) => p.priceMinor / 10 ** (EXPONENT[p.currency] ?? 2);

const forSale = (p: Pick<ProductDoc, 'active' | 'archivedAt'>) => p.active && !p.archivedAt;
const PROJECTION = { name: 1, description: 1, priceMinor: 1, currency: 1, active: 1, archivedAt: 1, category: 1, categoryPath: 1, images: 1, rating: 1, createdAt: 1, updatedAt: 1 } as const;

export interface CatalogSearch {
  /** Loads the index once (first call) and starts polling; later calls wait for that load. */
  ready(): Promise<void>;
  /** One poll now (tests, and the poller itself). */
  refresh(): Promise<number>;
  /** After this process wrote to the catalog: its own index follows at once (read-your-writes), if loaded. */
  afterWrite(): Promise<void>;
  search(q: string, filters?: SearchFilters): { hits: (SearchResult & { product: IndexedProduct })[] };
  suggest(q: string, limit?: number): string[];
  has(sku: string): boolean;
  size(): number;
  stop(): void;
}

export function createCatalogSearch(opts: { refreshMs: number; onError?: (err: unknown) => void }): CatalogSearch {
  const mini = new MiniSearch<{ id: string; name: string; description: string; sku: string }>({
    fields: ['name', 'description', 'sku'],
    storeFields: [],
    processTerm: (term) => foldTerm(term) || null,
    searchOptions: { boost: { name: 3, sku: 2 }, fuzzy: 0.2, prefix: true },
  });
  const products = new Map<string, IndexedProduct>();
  let token: string | null | undefined;
  let newestSeen = 0;
  let loading: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let stopped = false;

  const apply = (p: ProductDoc) => {
    if (products.has(p._id)) {
      mini.discard(p._id);
      products.delete(p._id);
    }
    if (forSale(p)) {
      products.set(p._id, p);
      mini.add({ id: p._id, name: p.name, description: p.description ?? '', sku: p._id });
    }
    newestSeen = Math.max(newestSeen, new Date(p.updatedAt).getTime());
  };

  async function refresh(): Promise<number> {
    const now = await currentCatalogToken();
    if (token !== undefined && now === token) return 0;
    // Read the token first: a write announced after this read moves it again for the next poll.
    const since = token === undefined ? null : new Date(newestSeen - OVERLAP_MS);
    const docs = await Product.find(since ? { updatedAt: { $gte: since } } : {}, PROJECTION).lean();
    for (const p of docs) apply(p as ProductDoc);
    token = now;
    return docs.length;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      if (!polling) {
        polling = true;
        await refresh().catch((err) => opts.onError?.(err));
        polling = false;
      }
      schedule();
    }, opts.refreshMs);
    timer.unref();
  };

  const matches = (p: IndexedProduct, f: SearchFilters) => {
    if (f.category && !(p.categoryPath ?? []).includes(f.category)) return false;
    if (f.currency && p.currency !== f.currency) return false;
    const major = majorUnits(p);
    if (f.priceMin !== undefined && major < f.priceMin) return false;
    if (f.priceMax !== undefined && major > f.priceMax) return false;
    return true;
  };

  return {
    ready() {
      loading ??= refresh().then(() => schedule());
      // A failed first load is retried by the next caller.
      return loading.catch((err) => {
        loading = undefined;
        throw err;
      });
    },
    refresh,
    async afterWrite() {
      if (token !== undefined) await refresh().catch((err) => opts.onError?.(err));
    },
    search(q, filters = {}) {
      const filter = (r: SearchResult) => {
        const p = products.get(r.id);
        return !!p && matches(p, filters);
      };
      // Every word must match (typos allowed); if that finds nothing, any word.
      let hits = mini.search(q, { combineWith: 'AND', filter });
      if (hits.length === 0) hits = mini.search(q, { combineWith: 'OR', filter });
      return { hits: hits.map((h) => ({ ...h, product: products.get(h.id)! })) };
    },
    suggest(q, limit = 5) {
      return mini
        .autoSuggest(q, { fuzzy: 0.2, prefix: true, combineWith: 'AND' })
        .slice(0, limit)
        .map((s) => s.suggestion);
    },
    has: (sku) => products.has(sku),
    size: () => products.size,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
