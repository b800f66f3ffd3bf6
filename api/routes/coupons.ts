/**
 * Coupons (promotions): admin CRUD. A coupon takes a percentage or a fixed amount (in its
 * currency) off an order's subtotal, within a validity window, above a minimum order, up to a
 * number of uses in total and per customer. Uses are the redemption slots the order saga claims
 * (domain/orders/coupon-redemptions.ts); deleting a coupon deactivates it (past orders keep it).
 */
import { z } from 'zod';
import { CURRENCIES, formatMinorUnits, type Currency } from '../../common/money';
import { couponUsage } from '../../domain/orders/coupon-redemptions';
import { Coupon, type CouponDoc } from '../../domain/persistence/models/coupon';
import { minorUnitsOf } from '../amounts';
import { requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { couponCode } from './orders';

const when = z.iso.datetime({ offset: true });
const fields = {
  /** percent: a whole percentage 1–99; fixed: a decimal amount of `currency`. */
  value: z.union([z.number(), z.string().max(32)]),
  currency: z.enum(CURRENCIES),
  valid_from: when.nullable(),
  valid_until: when.nullable(),
  /** In minor units of the order's currency (of `currency` when the coupon has one). */
  min_order_minor: z.number().int().min(0).max(10_000_000_000_00),
  usage_limit: z.number().int().min(1).max(1_000_000).nullable(),
  per_customer_limit: z.number().int().min(1).max(1000).nullable(),
  active: z.boolean(),
};
export const createBody = z.object({
  code: couponCode,
  type: z.enum(['percent', 'fixed']),
  value: fields.value,
  currency: fields.currency.optional(),
  valid_from: fields.valid_from.optional(),
  valid_until: fields.valid_until.optional(),
  min_order_minor: fields.min_order_minor.default(0),
  usage_limit: fields.usage_limit.optional(),
  per_customer_limit: fields.per_customer_limit.optional(),
  active: fields.active.default(true),
});
export const updateBody = z
  .object(fields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export const listQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.string().regex(/^[A-Z0-9_-]{1,32}$/, 'a coupon code in capitals').optional(),
});
const codeParam = z.object({ code: couponCode });

type CouponShape = Pick<CouponDoc, 'type' | 'percent' | 'valueMinor' | 'currency' | 'validFrom' | 'validUntil' | 'minOrderMinor' | 'usageLimit' | 'perCustomerLimit' | 'active'>;

/** The coupon's stored shape from a request, with the cross-field rules as 422 naming the field. */
function couponShape(b: { type: 'percent' | 'fixed'; value: number | string; currency?: Currency | null; valid_from?: string | null; valid_until?: string | null; min_order_minor: number; usage_limit?: number | null; per_customer_limit?: number | null; active: boolean }): CouponShape {
  let percent: number | undefined;
  let valueMinor: number | undefined;
  if (b.type === 'percent') {
    const v = typeof b.value === 'number' ? b.value : Number(b.value);
    if (!Number.isInteger(v) || v < 1 || v > 99) throw new HttpError(422, 'invalid_value', 'value: a percent coupon takes a whole percentage from 1 to 99', { field: 'value' });
    percent = v;
  } else {
    if (!b.currency) throw new HttpError(422, 'currency_required', 'currency: a fixed-amount coupon needs the currency of its amount', { field: 'currency' });
    valueMinor = minorUnitsOf(b.value, b.currency, 'value');
    if (valueMinor <= 0) throw new HttpError(422, 'invalid_value', 'value: must be more than 0', { field: 'value' });
  }
  const validFrom = b.valid_from ? new Date(b.valid_from) : undefined;
  const validUntil = b.valid_until ? new Date(b.valid_until) : undefined;
  if (validFrom && validUntil && validUntil <= validFrom) throw new HttpError(422, 'invalid_window', 'valid_until: must be after valid_from', { field: 'valid_until' });
  if (b.usage_limit && b.per_customer_limit && b.per_customer_limit > b.usage_limit) {
    throw new HttpError(422, 'invalid_limit', 'per_customer_limit: cannot exceed usage_limit', { field: 'per_customer_limit' });
  }
  return { type: b.type, percent, valueMinor, currency: b.currency ?? undefined, validFrom, validUntil, minOrderMinor: b.min_order_minor, usageLimit: b.usage_limit ?? undefined, perCustomerLimit: b.per_customer_limit ?? undefined, active: b.active };
}

export async function presentCoupon(c: CouponShape & { _id: string; createdAt: Date; updatedAt: Date }) {
  const { used } = await couponUsage(c._id);
  return {
    code: c._id,
    type: c.type,
    value: c.type === 'percent' ? c.percent : formatMinorUnits(c.valueMinor!, c.currency as Currency),
    ...(c.type === 'fixed' ? { value_minor: c.valueMinor } : {}),
    currency: c.currency ?? null,
    valid_from: c.validFrom ?? null,
    valid_until: c.validUntil ?? null,
    min_order_minor: c.minOrderMinor ?? 0,
    usage_limit: c.usageLimit ?? null,
    per_customer_limit: c.perCustomerLimit ?? null,
    active: c.active,
    used,
    remaining: c.usageLimit ? Math.max(0, c.usageLimit - used) : null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function couponsRouter() {
  const router = apiRouter();
  const admin = requireRole('admin');

  async function existing(params: unknown) {
    const p = codeParam.safeParse(params);
    if (!p.success) throw validationError(p.error, 'params');
    const doc = await Coupon.findById(p.data.code).lean();
    if (!doc) throw new HttpError(404, 'not_found', `no coupon ${p.data.code}`, { field: 'code' });
    return doc;
  }

  router.post('/coupons', admin, async (req, res) => {
    const body = createBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const now = new Date();
    const doc = { _id: body.data.code, ...couponShape(body.data), createdAt: now, updatedAt: now };
    try {
      await Coupon.create(doc);
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new HttpError(409, 'code_taken', `coupon ${body.data.code} exists`, { field: 'code' });
      throw err;
    }
    res.status(201).json(await presentCoupon(doc));
  });

  router.get('/coupons', admin, async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { active, limit, after } = q.data;
    const docs = await Coupon.find({ ...(active ? { active: active === 'true' } : {}), ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean();
    const items = docs.slice(0, limit);
    res.json({ items: await Promise.all(items.map(presentCoupon)), next_after: docs.length > limit ? items[items.length - 1]._id : null });
  });

  router.get('/coupons/:code', admin, async (req, res) => {
    res.json(await presentCoupon(await existing(req.params)));
  });

  router.patch('/coupons/:code', admin, async (req, res) => {
    const doc = await existing(req.params);
    const body = updateBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const currency = (b.currency ?? doc.currency ?? undefined) as Currency | undefined;
    const merged = {
      type: doc.type,
      value: b.value ?? (doc.type === 'percent' ? doc.percent! : formatMinorUnits(doc.valueMinor!, (doc.currency ?? currency) as Currency)),
      currency,
      valid_from: b.valid_from !== undefined ? b.valid_from : doc.validFrom?.toISOString(),
      valid_until: b.valid_until !== undefined ? b.valid_until : doc.validUntil?.toISOString(),
      min_order_minor: b.min_order_minor ?? doc.minOrderMinor ?? 0,
      usage_limit: b.usage_limit !== undefined ? b.usage_limit : doc.usageLimit,
      per_customer_limit: b.per_customer_limit !== undefined ? b.per_customer_limit : doc.perCustomerLimit,
      active: b.active ?? doc.active,
    };
    const shape = couponShape(merged);
    const unset = Object.fromEntries(Object.entries(shape).filter(([, v]) => v === undefined).map(([k]) => [k, 1]));
    const set = Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined));
    await Coupon.updateOne({ _id: doc._id }, { $set: { ...set, updatedAt: new Date() }, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
    res.json(await presentCoupon((await Coupon.findById(doc._id).lean())!));
  });

  /** Deactivates: the code stops applying; orders that used it keep it. */
  router.delete('/coupons/:code', admin, async (req, res) => {
    const doc = await existing(req.params);
    await Coupon.updateOne({ _id: doc._id }, { $set: { active: false, updatedAt: new Date() } });
    res.json(await presentCoupon({ ...doc, active: false, updatedAt: new Date() }));
  });

  return router;
}
