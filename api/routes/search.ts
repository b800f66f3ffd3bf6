/**
 * Storefront search (seed 003 §5.7): results, facets (category counts, price ranges), suggestions,
 * total and took, from this process's MiniSearch index (domain/catalog/search-index.ts): typo
 * tolerant, accent-insensitive, kept fresh by polling the catalog revision.
 */
import { z } from 'zod';
import { categoryNames } from '../../domain/catalog/categories';
import { majorUnits, PRICE_RANGES, type CatalogSearch } from '../../domain/catalog/search-index';
import { Category } from '../../domain/persistence/models/category';
import { CURRENCIES } from '../../common/money';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { checkPriceRange, decimalParam, pageParams, paginationOf, refuseUnknownParams, slugParam } from '../shop-query';
import { presentProducts } from './products';

const q = z.string().trim().min(1, 'must not be empty').max(200);
export const searchQuery = z.object({
  q,
  'filters[category]': slugParam.optional().describe('a category slug: its descendants are included'),
  'filters[price_min]': decimalParam.optional().describe("major units of the product's currency"),
  'filters[price_max]': decimalParam.optional(),
  'filters[currency]': z.enum(CURRENCIES).optional(),
  ...pageParams,
});
export const suggestionsQuery = z.object({ q, limit: z.coerce.number().int().min(1).max(20).default(5) });

export function searchRouter(deps: { search: CatalogSearch }) {
  const router = apiRouter();

  router.get('/search/products', async (req, res) => {
    const started = performance.now();
    refuseUnknownParams(req.query as Record<string, unknown>, Object.keys(searchQuery.shape));
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    const p = parsed.data;
    checkPriceRange(p['filters[price_min]'], p['filters[price_max]'], 'filters[price_min]');
    const category = p['filters[category]'];
    if (category && !(await Category.exists({ _id: category }))) throw new HttpError(400, 'unknown_category', `filters[category]: no category ${category}`, { field: 'filters[category]', in: 'query' });
    await deps.search.ready();
    const { hits } = deps.search.search(p.q, { category, priceMin: p['filters[price_min]'], priceMax: p['filters[price_max]'], currency: p['filters[currency]'] });

    const names = await categoryNames();
    const byCategory = new Map<string, number>();
    const byRange = PRICE_RANGES.map(() => 0);
    for (const h of hits) {
      if (h.product.category) byCategory.set(h.product.category, (byCategory.get(h.product.category) ?? 0) + 1);
      const major = majorUnits(h.product);
      const i = PRICE_RANGES.findIndex(([from, to]) => major >= from && (to === null || major < to));
      if (i >= 0) byRange[i]++;
    }
    const pageHits = hits.slice((p.page - 1) * p.limit, p.page * p.limit);
    const results = (await presentProducts(pageHits.map((h) => h.product))).map((r, i) => ({ ...r, score: Math.round(pageHits[i].score * 1000) / 1000 }));
    res.json({
      results,
      aggregations: {
        categories: [...byCategory].map(([slug, count]) => ({ slug, name: names.get(slug)?.name ?? slug, count })).sort((a, b) => b.count - a.count || a.slug.localeCompare(b.slug)),
        price_ranges: PRICE_RANGES.map(([from, to], i) => ({ from, to, count: byRange[i] })),
      },
      suggestions: deps.search.suggest(p.q),
      total: hits.length,
      took: Math.round(performance.now() - started),
      pagination: paginationOf(p.page, p.limit, hits.length),
    });
  });

  /** Autocomplete: completed queries (accents folded) and the best-matching products' names. */
  router.get('/search/suggestions', async (req, res) => {
    refuseUnknownParams(req.query as Record<string, unknown>, Object.keys(suggestionsQuery.shape));
    const parsed = suggestionsQuery.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    await deps.search.ready();
    const { q: text, limit } = parsed.data;
    res.json({
      q: text,
      suggestions: deps.search.suggest(text, limit),
      products: deps.search
        .search(text)
        .hits.slice(0, limit)
        .map((h) => ({ sku: h.product._id, name: h.product.name })),
    });
  });

  return router;
}
