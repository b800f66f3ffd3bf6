/**
 * The catalog (seed 003 §5.4): anyone may browse; admins create, update and move stock. Prices are
 * decimal text in, integer minor units stored, decimal text out. Stock moves through the same
 * movement chain the order saga uses, so an admin's adjustment and a checkout never race.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { applyStockChange, stockLevels } from '../../domain/catalog/stock';
import { Product, type ProductDoc } from '../../domain/persistence/models/product';
import { Stock } from '../../domain/persistence/models/stock';
import { CURRENCIES, formatMinorUnits, type Currency } from '../../common/money';
import { minorUnitsOf } from '../amounts';
import { requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';

const sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dot, dash or underscore');
const price = z.union([z.string().max(32), z.number()]);

export const createBody = z.object({
  sku,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  price,
  currency: z.enum(CURRENCIES),
  active: z.boolean().default(true),
  stock: z.number().int().min(0).max(10_000_000).default(0),
});
export const updateBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000),
    price,
    currency: z.enum(CURRENCIES),
    active: z.boolean(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export const stockBody = z.object({
  delta: z.number().int().min(-10_000_000).max(10_000_000).refine((d) => d !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(200),
});
export const listQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: sku.optional(),
});

export function presentProduct(p: Pick<ProductDoc, '_id' | 'name' | 'description' | 'priceMinor' | 'currency' | 'active' | 'updatedAt'>, stock?: { available: number; reserved: number }) {
  const currency = p.currency as Currency;
  return {
    sku: p._id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    price: formatMinorUnits(p.priceMinor, currency),
    price_minor: p.priceMinor,
    currency,
    active: p.active,
    stock: { available: stock?.available ?? 0, reserved: stock?.reserved ?? 0 },
    updated_at: p.updatedAt,
  };
}

export function productsRouter() {
  const router = apiRouter();

  router.get('/products', async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { active, limit, after } = q.data;
    const filter = { ...(active ? { active: active === 'true' } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await Product.find(filter).sort({ _id: 1 }).limit(limit + 1).lean();
    const items = docs.slice(0, limit);
    const stock = new Map((await Stock.find({ _id: { $in: items.map((d) => d._id) } }).lean()).map((s) => [s._id, s]));
    res.json({ items: items.map((p) => presentProduct(p, stock.get(p._id))), next_after: docs.length > limit ? items[items.length - 1]._id : null });
  });

  router.get('/products/:sku', async (req, res) => {
    const p = await Product.findById(req.params.sku).lean();
    if (!p) throw new HttpError(404, 'not_found', `no product ${req.params.sku}`, { field: 'sku' });
    res.json(presentProduct(p, await stockLevels(p._id)));
  });

  router.post('/products', requireRole('admin'), async (req, res) => {
    const body = createBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const now = new Date();
    const doc = { _id: b.sku, name: b.name, description: b.description, priceMinor: minorUnitsOf(b.price, b.currency, 'price'), currency: b.currency, active: b.active, createdAt: now, updatedAt: now };
    try {
      await Product.collection.insertOne(doc as never);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new HttpError(409, 'sku_taken', `product ${b.sku} exists`, { field: 'sku' });
      throw err;
    }
    const levels = await applyStockChange({ sku: b.sku, kind: 'initial', quantity: b.stock, opKey: `initial:${b.sku}`, reason: 'product created' });
    res.status(201).json(presentProduct(doc, levels));
  });

  router.patch('/products/:sku', requireRole('admin'), async (req, res) => {
    const body = updateBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const existing = await Product.findById(req.params.sku).lean();
    if (!existing) throw new HttpError(404, 'not_found', `no product ${req.params.sku}`, { field: 'sku' });
    const { price: newPrice, ...rest } = body.data;
    const currency = (rest.currency ?? existing.currency) as Currency;
    const set = { ...rest, ...(newPrice !== undefined || rest.currency ? { priceMinor: minorUnitsOf(newPrice ?? formatMinorUnits(existing.priceMinor, existing.currency as Currency), currency, 'price') } : {}), updatedAt: new Date() };
    await Product.updateOne({ _id: existing._id }, { $set: set });
    const p = (await Product.findById(existing._id).lean())!;
    res.json(presentProduct(p, await stockLevels(p._id)));
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
