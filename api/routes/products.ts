/**
 * The catalog (seed 003 §5.4): anyone may browse; admins create, replace, update, archive and move
 * stock. Prices are decimal text in, integer minor units stored, decimal text out. Stock moves
 * through the same movement chain the order saga uses, so an admin's adjustment and a checkout
 * never race. Every write announces itself on the catalog revision, so every API process's search
 * index follows within SEARCH_REFRESH_MS (domain/catalog/search-index.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { applyStockChange, stockLevels } from '../../domain/catalog/stock';
import { bumpCatalogRevision } from '../../domain/catalog/revision';
import type { CatalogSearch } from '../../domain/catalog/search-index';
import { Category } from '../../domain/persistence/models/category';
import { Product, type ProductDoc } from '../../domain/persistence/models/product';
import { Stock } from '../../domain/persistence/models/stock';
import { CURRENCIES, CURRENCY_EXPONENT, formatMinorUnits, type Currency } from '../../common/money';
import { minorUnitsOf } from '../amounts';
import { requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { checkPriceRange, decimalParam, pageParams, paginationOf, refuseUnknownParams, slugParam } from '../shop-query';

const sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dot, dash or underscore');
const price = z.union([z.string().max(32), z.number()]);
const images = z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000)).max(20);

export const createBody = z.object({
  sku,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  price,
  currency: z.enum(CURRENCIES),
  active: z.boolean().default(true),
  stock: z.number().int().min(0).max(10_000_000).default(0),
  images: images.optional(),
  category: slugParam.nullable().optional().describe('the category slug'),
});
/** PUT: the whole product as it should be (fields left out are cleared); stock moves through /stock. */
export const replaceBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  price,
  currency: z.enum(CURRENCIES),
  active: z.boolean().default(true),
  images: images.default([]),
  category: slugParam.nullable().default(null),
});
export const updateBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000),
    price,
    currency: z.enum(CURRENCIES),
    active: z.boolean(),
    images,
    category: slugParam.nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export const stockBody = z.object({
  delta: z.number().int().min(-10_000_000).max(10_000_000).refine((d) => d !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(200),
});
export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc', 'name', 'rating'] as const;
export const listQuery = z.object({
  ...pageParams,
  category: slugParam.optional().describe('a category slug: its descendants are included'),
  price_min: decimalParam.optional().describe("major units of the product's currency"),
  price_max: decimalParam.optional(),
  currency: z.enum(CURRENCIES).optional(),
  sort: z.enum(PRODUCT_SORTS).default('newest'),
  search: z.string().trim().min(1).max(200).optional().describe('typo-tolerant, accent-insensitive'),
  active: z.enum(['true', 'false']).optional().describe('default true: the shop shows products for sale'),
});
const LIST_PARAMS = Object.keys(listQuery.shape);

const SORTS: Record<(typeof PRODUCT_SORTS)[number], Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: 1 },
  price_asc: { priceMinor: 1, _id: 1 },
  price_desc: { priceMinor: -1, _id: 1 },
  name: { name: 1, _id: 1 },
  rating: { 'rating.average': -1, 'rating.count': -1, _id: 1 },
};

type Presentable = Pick<ProductDoc, '_id' | 'name' | 'description' | 'priceMinor' | 'currency' | 'active' | 'updatedAt'> & Partial<Pick<ProductDoc, 'images' | 'category' | 'rating' | 'archivedAt' | 'createdAt'>>;

export function presentProduct(p: Presentable, stock?: { available: number; reserved: number }, categories?: Map<string, string>) {
  const currency = p.currency as Currency;
  return {
    sku: p._id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    price: formatMinorUnits(p.priceMinor, currency),
    price_minor: p.priceMinor,
    currency,
    active: p.active,
    ...(p.archivedAt ? { archived: true, archived_at: p.archivedAt } : {}),
    images: p.images ?? [],
    category: p.category ? { slug: p.category, name: categories?.get(p.category) ?? p.category } : null,
    rating: { average: p.rating?.average ?? 0, count: p.rating?.count ?? 0 },
    stock: { available: stock?.available ?? 0, reserved: stock?.reserved ?? 0 },
    ...(p.createdAt ? { created_at: p.createdAt } : {}),
    updated_at: p.updatedAt,
  };
}

/** Products presented with their stock and category names (one read of each). */
export async function presentProducts(docs: Presentable[]) {
  const [stock, categories] = await Promise.all([
    Stock.find({ _id: { $in: docs.map((d) => d._id) } }).lean(),
    Category.find({ _id: { $in: [...new Set(docs.map((d) => d.category).filter((c): c is string => !!c))] } }, { name: 1 }).lean(),
  ]);
  const levels = new Map(stock.map((s) => [s._id, s]));
  const names = new Map(categories.map((c) => [c._id, c.name]));
  return docs.map((p) => presentProduct(p, levels.get(p._id), names));
}

/** The price window in major units as a filter on minor units, per currency (each has its own exponent). */
export function priceFilter(min: number | undefined, max: number | undefined, currency?: Currency): Record<string, unknown> {
  if (min === undefined && max === undefined) return currency ? { currency } : {};
  const per = (c: Currency) => {
    const f = 10 ** CURRENCY_EXPONENT[c];
    return { currency: c, priceMinor: { ...(min !== undefined ? { $gte: Math.ceil(min * f - 1e-9) } : {}), ...(max !== undefined ? { $lte: Math.floor(max * f + 1e-9) } : {}) } };
  };
  return currency ? per(currency) : { $or: CURRENCIES.map(per) };
}

/** The category's path for a product, or 422 naming `category`. */
async function categoryPathOf(slug: string | null | undefined): Promise<{ category?: string; categoryPath?: string[] }> {
  if (!slug) return {};
  const c = await Category.findById(slug, { path: 1 }).lean();
  if (!c) throw new HttpError(422, 'unknown_category', `category: no category ${slug}`, { field: 'category' });
  return { category: slug, categoryPath: c.path };
}

async function forSaleOrRefuse(skuValue: string) {
  const existing = await Product.findById(skuValue).lean();
  if (!existing) throw new HttpError(404, 'not_found', `no product ${skuValue}`, { field: 'sku' });
  if (existing.archivedAt) throw new HttpError(409, 'archived', `product ${skuValue} is archived`, { field: 'sku', archived_at: existing.archivedAt });
  return existing;
}

export function productsRouter(deps: { search: CatalogSearch }) {
  const router = apiRouter();

  router.get('/products', async (req, res) => {
    refuseUnknownParams(req.query as Record<string, unknown>, LIST_PARAMS);
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { page, limit, category, price_min, price_max, currency, sort, search, active } = q.data;
    checkPriceRange(price_min, price_max);
    if (category && !(await Category.exists({ _id: category }))) throw new HttpError(400, 'unknown_category', `category: no category ${category}`, { field: 'category', in: 'query' });
    let ids: string[] | undefined;
    if (search) {
      await deps.search.ready();
      ids = deps.search.search(search).hits.map((h) => String(h.id));
    }
    const filter: Record<string, unknown> = {
      active: active !== 'false',
      ...(category ? { categoryPath: category } : {}),
      ...priceFilter(price_min, price_max, currency),
      ...(ids ? { _id: { $in: ids } } : {}),
    };
    const [total, docs] = await Promise.all([
      Product.countDocuments(filter),
      Product.find(filter)
        .sort(SORTS[sort])
        .skip((page - 1) * limit)
        .limit(limit)
        .lean(),
    ]);
    res.json({ data: await presentProducts(docs), pagination: paginationOf(page, limit, total) });
  });

  router.get('/products/:sku', async (req, res) => {
    const p = await Product.findById(req.params.sku).lean();
    if (!p) throw new HttpError(404, 'not_found', `no product ${req.params.sku}`, { field: 'sku' });
    res.json((await presentProducts([p]))[0]);
  });

  router.post('/products', requireRole('admin'), async (req, res) => {
    const body = createBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const now = new Date();
    const doc = {
      _id: b.sku,
      name: b.name,
      description: b.description,
      priceMinor: minorUnitsOf(b.price, b.currency, 'price'),
      currency: b.currency,
      active: b.active,
      images: b.images ?? [],
      ...(await categoryPathOf(b.category)),
      rating: { sum: 0, count: 0, average: 0, version: 0 },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await Product.collection.insertOne(doc as never);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new HttpError(409, 'sku_taken', `product ${b.sku} exists`, { field: 'sku' });
      throw err;
    }
    const levels = await applyStockChange({ sku: b.sku, kind: 'initial', quantity: b.stock, opKey: `initial:${b.sku}`, reason: 'product created' });
    await bumpCatalogRevision();
    await deps.search.afterWrite();
    const [shown] = await presentProducts([doc]);
    res.status(201).json({ ...shown, stock: { available: levels.available, reserved: levels.reserved } });
  });

  router.put('/products/:sku', requireRole('admin'), async (req, res) => {
    const body = replaceBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const existing = await forSaleOrRefuse(req.params.sku as string);
    const b = body.data;
    const cat = await categoryPathOf(b.category);
    const set = { name: b.name, priceMinor: minorUnitsOf(b.price, b.currency, 'price'), currency: b.currency, active: b.active, images: b.images, ...cat, updatedAt: new Date() };
    const unset = { ...(b.description === undefined ? { description: 1 } : {}), ...(cat.category ? {} : { category: 1, categoryPath: 1 }) };
    await Product.updateOne({ _id: existing._id }, { $set: { ...set, ...(b.description !== undefined ? { description: b.description } : {}) }, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
    await bumpCatalogRevision();
    await deps.search.afterWrite();
    const p = (await Product.findById(existing._id).lean())!;
    res.json((await presentProducts([p]))[0]);
  });

  router.patch('/products/:sku', requireRole('admin'), async (req, res) => {
    const body = updateBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const existing = await forSaleOrRefuse(req.params.sku as string);
    const { price: newPrice, category, ...rest } = body.data;
    const currency = (rest.currency ?? existing.currency) as Currency;
    const cat = category === undefined ? {} : await categoryPathOf(category);
    const set = {
      ...rest,
      ...cat,
      ...(newPrice !== undefined || rest.currency ? { priceMinor: minorUnitsOf(newPrice ?? formatMinorUnits(existing.priceMinor, existing.currency as Currency), currency, 'price') } : {}),
      updatedAt: new Date(),
    };
    await Product.updateOne({ _id: existing._id }, { $set: set, ...(category === null ? { $unset: { category: 1, categoryPath: 1 } } : {}) });
    await bumpCatalogRevision();
    await deps.search.afterWrite();
    const p = (await Product.findById(existing._id).lean())!;
    res.json((await presentProducts([p]))[0]);
  });

  /** Archive: gone from the shop and search, refused at checkout (422), kept for past orders and reviews. */
  router.delete('/products/:sku', requireRole('admin'), async (req, res) => {
    const existing = await Product.findById(req.params.sku).lean();
    if (!existing) throw new HttpError(404, 'not_found', `no product ${req.params.sku}`, { field: 'sku' });
    if (!existing.archivedAt) {
      const now = new Date();
      await Product.updateOne({ _id: existing._id }, { $set: { active: false, archivedAt: now, updatedAt: now } });
      await bumpCatalogRevision();
    await deps.search.afterWrite();
    }
    const p = (await Product.findById(existing._id).lean())!;
    res.json((await presentProducts([p]))[0]);
  });

  /** Admin stock movement: +delta receives goods, -delta writes off; never below zero available. */
  router.post('/products/:sku/stock', requireRole('admin'), async (req, res) => {
    const body = stockBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    if (!(await Product.exists({ _id: req.params.sku }))) throw new HttpError(404, 'not_found', `no product ${req.params.sku}`, { field: 'sku' });
    const key = req.header('idempotency-key');
    const sku = req.params.sku as string;
    const r = await applyStockChange({ sku, kind: 'adjust', quantity: body.data.delta, reason: body.data.reason, opKey: `adjust:${sku}:${key ?? randomUUID()}` });
    if (!r.applied) throw new HttpError(409, 'insufficient_stock', `cannot remove ${-body.data.delta}: ${r.available} available`, { field: 'delta', available: r.available, reserved: r.reserved });
    res.json({ sku: req.params.sku, available: r.available, reserved: r.reserved, version: r.version });
  });

  return router;
}
