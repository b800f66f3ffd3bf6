/**
 * The administration API (seed 003 §5.8), admins only (signed-in admins and admin API keys):
 * the dashboard's KPIs, users (list, change role, deactivate), orders with advanced filters and CSV
 * export, and sales analytics with CSV export. Money figures are read from the sales day buckets
 * (domain/analytics/sales.ts), written as orders are paid and refunded, so their cost does not grow
 * with the history; the request limits are the app's (admins: RATE_LIMIT_ADMIN_PER_HOUR per caller).
 */
import type { Request } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { formatMinorUnits, isCurrency } from '../../common/money';
import { ORDER_STATUSES } from '../../contracts/orders';
import { analyticsRows, daysBetween, dayOf, isoWeek, readSalesDays, totalsOf, type Counters } from '../../domain/analytics/sales';
import { stockLevels } from '../../domain/catalog/stock';
import { counterKeyText } from '../../domain/persistence/counters';
import { Incident } from '../../domain/persistence/models/incident';
import { Order } from '../../domain/persistence/models/order';
import { Product } from '../../domain/persistence/models/product';
import { Stock } from '../../domain/persistence/models/stock';
import { User, USER_ROLES, USER_STATUSES } from '../../domain/persistence/models/user';
import { principalOf, requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { periodSchema } from '../period';
import { apiRouter } from '../request-guards';

const DAY_MS = 86_400_000;
const MAX_ANALYTICS_DAYS = 731;
const MAX_CSV_ROWS = 50_000;
const PAYMENT_STATUSES = ['awaiting', 'paid', 'refunded', 'partially_refunded', 'charged_back', 'failed'] as const;
const minor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const dateOrDay = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T.+)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be a date (YYYY-MM-DD) or an ISO date-time');
const format = z.enum(['json', 'csv']).optional();
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const money = (m: number, cur: string) => (isCurrency(cur) ? formatMinorUnits(m, cur) : null);

export const dashboardQuery = z.object({
  low_stock_threshold: z.coerce.number().int().min(0).max(1_000_000).default(5).describe('available units at or below which a product is low'),
  top: z.coerce.number().int().min(1).max(50).default(5),
});
export const usersQuery = z.object({
  search: z.string().trim().max(200).optional().describe('part of the email or name, case-insensitive'),
  role: z.enum(USER_ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
export const userParams = z.object({ id: z.string().min(1).max(100) });
export const patchUserBody = z
  .object({ role: z.enum(USER_ROLES).optional(), status: z.enum(USER_STATUSES).optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.status !== undefined, { message: 'send role or status', path: ['role'] });
/** One value or several, comma-separated; an unknown value is named against the parameter itself. */
const csvList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const list = s.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = list.filter((x) => !values.includes(x));
      if (list.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${bad.length ? `unknown ${bad.join(', ')}; ` : ''}one or more of ${values.join(', ')}` });
        return z.NEVER;
      }
      return list as T[number][];
    });
export const adminOrdersQuery = z
  .object({
    status: csvList(ORDER_STATUSES).optional().describe('one status or several, comma-separated'),
    from: dateOrDay.optional().describe('created at or after (a day means its start, UTC)'),
    to: dateOrDay.optional().describe('created before (a day means the end of that day, UTC)'),
    customer: z.string().trim().min(1).max(200).optional().describe('customer id, or email'),
    total_min: minor.optional().describe('minor units'),
    total_max: minor.optional().describe('minor units'),
    coupon: z.string().trim().min(1).max(100).optional().describe('coupon code the order used'),
    payment_status: csvList(PAYMENT_STATUSES).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    page_size: z.coerce.number().int().min(1).max(200).default(50),
    format,
  })
  .refine((q) => q.total_min === undefined || q.total_max === undefined || q.total_min <= q.total_max, { path: ['total_min'], message: 'must not exceed total_max' });
export const analyticsQuery = z.object({
  period: periodSchema.prefault('30d'),
  group_by: z.enum(['day', 'week', 'month']).default('day'),
  by: z.enum(['product', 'category']).default('product'),
  format,
});

/** `?format=csv`, or an Accept that names text/csv before JSON. */
function csvRequested(req: Request, f?: 'json' | 'csv'): boolean {
  if (f) return f === 'csv';
  const accept = req.headers.accept ?? '';
  return /text\/csv/i.test(accept) && req.accepts(['text/csv', 'application/json']) === 'text/csv';
}
const startOf = (s: string) => new Date(/T/.test(s) ? s : `${s}T00:00:00Z`);
const endOf = (s: string) => (/T/.test(s) ? new Date(s) : new Date(Date.parse(`${s}T00:00:00Z`) + DAY_MS));

const presentUser = (u: { userId: string; email: string; name: string; role: string; phone?: string | null; status?: string | null; createdAt: Date; updatedAt?: Date | null }) => ({
  id: u.userId,
  email: u.email,
  name: u.name,
  role: u.role,
  status: u.status ?? 'active',
  phone: u.phone ?? null,
  created_at: u.createdAt,
  updated_at: u.updatedAt ?? null,
});

type OrderRow = {
  _id: string;
  status: string;
  customer: { id: string; email: string; name?: string };
  items: { sku: string; quantity: number; lineTotalMinor: number }[];
  currency: string;
  totalMinor: number;
  payment?: { status?: string; paymentId?: string; paidAt?: string };
  coupon?: { code?: string; discountMinor?: number };
  fromCart?: boolean;
  createdAt: Date;
  updatedAt: Date;
};
const presentOrderRow = (o: OrderRow) => ({
  order_number: o._id,
  status: o.status,
  created_at: o.createdAt,
  updated_at: o.updatedAt,
  customer: { id: o.customer.id, email: o.customer.email, name: o.customer.name ?? null },
  currency: o.currency,
  total: money(o.totalMinor, o.currency),
  total_minor: o.totalMinor,
  items: (o.items ?? []).reduce((n, i) => n + i.quantity, 0),
  payment_status: o.payment?.status ?? null,
  payment_id: o.payment?.paymentId ?? null,
  paid_at: o.payment?.paidAt ?? null,
  coupon: o.coupon?.code ? { code: o.coupon.code, discount_minor: o.coupon.discountMinor ?? 0 } : null,
  from_cart: o.fromCart === true,
});
const ORDER_CSV_COLUMNS = ['order_number', 'status', 'created_at', 'customer_id', 'customer_email', 'currency', 'total', 'total_minor', 'items', 'payment_status', 'payment_id', 'paid_at', 'coupon_code', 'coupon_discount_minor', 'from_cart'];
const orderCsvRow = (o: ReturnType<typeof presentOrderRow>) => [
  o.order_number,
  o.status,
  new Date(o.created_at).toISOString(),
  o.customer.id,
  o.customer.email,
  o.currency,
  o.total,
  o.total_minor,
  o.items,
  o.payment_status,
  o.payment_id,
  o.paid_at,
  o.coupon?.code ?? '',
  o.coupon?.discount_minor ?? '',
  o.from_cart,
];

/** Sums per currency of a list of orders' totals. */
function totalsByCurrency(rows: { currency: string; total_minor: number }[]) {
  const by = new Map<string, { currency: string; orders: number; total_minor: number }>();
  for (const r of rows) {
    const t = by.get(r.currency) ?? { currency: r.currency, orders: 0, total_minor: 0 };
    t.orders += 1;
    t.total_minor += r.total_minor;
    by.set(r.currency, t);
  }
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency)).map((t) => ({ ...t, total: money(t.total_minor, t.currency) }));
}

function topProducts(buckets: Counters[], top: number) {
  const by = new Map<string, { sku: string; currency: string; units: number; sales_minor: number }>();
  for (const c of buckets) {
    for (const [sku, perCur] of Object.entries((c.p as Counters) ?? {})) {
      for (const [cur, f] of Object.entries(perCur as Counters)) {
        const k = `${sku}\u0000${cur}`;
        const r = by.get(k) ?? { sku: counterKeyText(sku), currency: counterKeyText(cur), units: 0, sales_minor: 0 };
        r.units += Number((f as Counters).units ?? 0);
        r.sales_minor += Number((f as Counters).sales ?? 0);
        by.set(k, r);
      }
    }
  }
  return [...by.values()].sort((a, b) => b.units - a.units || b.sales_minor - a.sales_minor || a.sku.localeCompare(b.sku)).slice(0, top);
}

const kpis = (buckets: Counters[], top: number) =>
  ({
    by_currency: totalsOf(buckets).map((t) => ({
      currency: t.currency,
      orders: t.orders,
      carts_converted: t.orders_from_cart,
      gross_minor: t.gross_minor,
      refunds_minor: t.refunds_minor,
      revenue_minor: t.net_minor,
      revenue: money(t.net_minor, t.currency),
      average_order_value_minor: t.orders > 0 ? Math.round(t.gross_minor / t.orders) : 0,
    })),
    top_products: topProducts(buckets, top),
  });

export function adminRouter(deps: { config: Pick<Config, 'SCHEDULE_TIMEZONE'> }) {
  const router = apiRouter();
  const admin = requireRole('admin');
  const tz = deps.config.SCHEDULE_TIMEZONE;

  router.get('/admin/dashboard', admin, async (req, res) => {
    const q = dashboardQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const now = new Date();
    const today = dayOf(now, tz);
    const monthDays = daysBetween(`${today.slice(0, 7)}-01`, today);
    const [days, pendingDocs, openIncidents, lowCandidates] = await Promise.all([
      readSalesDays(monthDays),
      Order.find({ status: { $in: ['confirmed', 'processing'] } }, { status: 1, createdAt: 1 }).lean(),
      Incident.find({ status: { $in: ['triggered', 'acknowledged'] } }, { status: 1, severity: 1 }).lean(),
      Stock.find({ available: { $lte: q.data.low_stock_threshold } }, { _id: 1 }).limit(500).lean(),
    ]);
    // The stock head is a cache: confirm each candidate against its movement chain, and keep active products only.
    const low = (
      await Promise.all(
        lowCandidates.map(async (s) => {
          const [levels, product] = await Promise.all([stockLevels(s._id), Product.findById(s._id, { name: 1, active: 1 }).lean()]);
          return product?.active && levels && levels.available <= q.data.low_stock_threshold ? { sku: s._id, name: product.name, available: levels.available, reserved: levels.reserved } : undefined;
        }),
      )
    )
      .filter((x) => x !== undefined)
      .sort((a, b) => a.available - b.available || a.sku.localeCompare(b.sku));
    const oldestPending = pendingDocs.reduce<Date | null>((min, o) => (!min || o.createdAt < min ? o.createdAt : min), null);
    res.json({
      generated_at: now.toISOString(),
      time_zone: tz,
      today: { day: today, ...kpis([days.get(today) ?? {}], q.data.top) },
      month: { month: today.slice(0, 7), from: monthDays[0], to: today, ...kpis([...days.values()], q.data.top) },
      low_stock: { threshold: q.data.low_stock_threshold, items: low },
      pending_fulfilments: {
        total: pendingDocs.length,
        confirmed: pendingDocs.filter((o) => o.status === 'confirmed').length,
        processing: pendingDocs.filter((o) => o.status === 'processing').length,
        oldest_created_at: oldestPending,
      },
      open_incidents: {
        total: openIncidents.length,
        triggered: openIncidents.filter((i) => i.status === 'triggered').length,
        acknowledged: openIncidents.filter((i) => i.status === 'acknowledged').length,
      },
    });
  });

  router.get('/admin/users', admin, async (req, res) => {
    const q = usersQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { search, role, status, page, page_size } = q.data;
    const filter: Record<string, unknown> = {
      ...(role ? { role } : {}),
      ...(status === 'deactivated' ? { status: 'deactivated' } : status === 'active' ? { status: { $ne: 'deactivated' } } : {}),
      ...(search ? { $or: [{ email: { $regex: escapeRegex(search), $options: 'i' } }, { name: { $regex: escapeRegex(search), $options: 'i' } }] } : {}),
    };
    const [docs, total] = await Promise.all([
      User.find(filter, { passwordHash: 0, sessionEpoch: 0 }).sort({ createdAt: -1, _id: 1 }).skip((page - 1) * page_size).limit(page_size).lean(),
      User.countDocuments(filter),
    ]);
    res.json({ items: docs.map(presentUser), page, page_size, total, pages: Math.ceil(total / page_size) });
  });

  router.patch('/admin/users/:id', admin, async (req, res) => {
    const params = userParams.safeParse(req.params);
    if (!params.success) throw validationError(params.error, 'params');
    const body = patchUserBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = await User.findOne({ userId: params.data.id }).lean();
    if (!user) throw new HttpError(404, 'not_found', `no user ${params.data.id}`, { field: 'id' });
    const me = principalOf(res);
    if (me?.kind === 'user' && me.userId === user.userId) {
      if (body.data.status === 'deactivated') throw new HttpError(409, 'cannot_deactivate_self', 'an admin cannot deactivate their own account', { field: 'status' });
      if (body.data.role && body.data.role !== 'admin') throw new HttpError(409, 'cannot_demote_self', 'an admin cannot remove their own admin role', { field: 'role' });
    }
    // The next request with any of the user's tokens reads the new status and role (api/auth/tokens.ts).
    await User.updateOne({ _id: user._id }, { $set: { ...body.data, updatedAt: new Date() } });
    const updated = await User.findById(user._id).lean();
    res.json(presentUser(updated!));
  });

  router.get('/admin/orders', admin, async (req, res) => {
    const q = adminOrdersQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { status, from, to, customer, total_min, total_max, coupon, payment_status, page, page_size } = q.data;
    const created = { ...(from ? { $gte: startOf(from) } : {}), ...(to ? { $lt: endOf(to) } : {}) };
    const total = { ...(total_min !== undefined ? { $gte: total_min } : {}), ...(total_max !== undefined ? { $lte: total_max } : {}) };
    const filter: Record<string, unknown> = {
      ...(status ? { status: { $in: status } } : {}),
      ...(from || to ? { createdAt: created } : {}),
      ...(customer ? (customer.includes('@') ? { 'customer.email': customer.toLowerCase() } : { 'customer.id': customer }) : {}),
      ...(total_min !== undefined || total_max !== undefined ? { totalMinor: total } : {}),
      ...(coupon ? { 'coupon.code': coupon } : {}),
      ...(payment_status ? { 'payment.status': { $in: payment_status } } : {}),
    };
    // `coupon` and `fromCart` are written by the cart checkout; until the schema names them, mongoose must not strip them from the filter.
    const loose = { strictQuery: false } as const;
    const projection = { status: 1, customer: 1, items: 1, currency: 1, totalMinor: 1, payment: 1, coupon: 1, fromCart: 1, createdAt: 1, updatedAt: 1 };
    if (csvRequested(req, q.data.format)) {
      const docs = await Order.find(filter, projection, loose).sort({ createdAt: -1, _id: -1 }).limit(MAX_CSV_ROWS).lean<OrderRow[]>();
      const csv = stringify(docs.map((d) => orderCsvRow(presentOrderRow(d))), { header: true, columns: ORDER_CSV_COLUMNS, cast: { boolean: (b) => (b ? 'true' : 'false') } });
      res.type('text/csv').setHeader('content-disposition', 'attachment; filename="orders.csv"').send(csv);
      return;
    }
    const [docs, matching] = await Promise.all([
      Order.find(filter, projection, loose).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * page_size).limit(page_size).lean<OrderRow[]>(),
      Order.countDocuments(filter).setOptions(loose),
    ]);
    const items = docs.map(presentOrderRow);
    res.json({ items, page, page_size, total: matching, pages: Math.ceil(matching / page_size), page_totals: totalsByCurrency(items) });
  });

  router.get('/admin/analytics', admin, async (req, res) => {
    const q = analyticsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { period, group_by, by } = q.data;
    const fromDay = dayOf(period.from, tz);
    const toDay = dayOf(new Date(period.to.getTime() - 1), tz);
    const days = daysBetween(fromDay, toDay);
    if (days.length > MAX_ANALYTICS_DAYS) throw new HttpError(400, 'invalid_request', `period: at most ${MAX_ANALYTICS_DAYS} days`, { field: 'period', in: 'query' });
    const buckets = await readSalesDays(days);
    const groupOf = group_by === 'day' ? (d: string) => d : group_by === 'week' ? isoWeek : (d: string) => d.slice(0, 7);
    const rows = analyticsRows(buckets, groupOf, by);
    if (csvRequested(req, q.data.format)) {
      const csv = stringify(
        rows.map((r) => [r.bucket, r.key, r.currency, r.sales_minor, r.units, r.refunds_minor, r.net_minor]),
        { header: true, columns: [group_by, by, 'currency', 'sales_minor', 'units', 'refunds_minor', 'net_minor'] },
      );
      res.type('text/csv').setHeader('content-disposition', `attachment; filename="analytics-${period.label}-${group_by}-${by}.csv"`).send(csv);
      return;
    }
    // Totals from the same rows: sales and refunds split over lines always sum to the orders' figures.
    const totals = new Map<string, { currency: string; sales_minor: number; units: number; refunds_minor: number; net_minor: number }>();
    for (const r of rows) {
      const t = totals.get(r.currency) ?? { currency: r.currency, sales_minor: 0, units: 0, refunds_minor: 0, net_minor: 0 };
      t.sales_minor += r.sales_minor;
      t.units += r.units;
      t.refunds_minor += r.refunds_minor;
      t.net_minor += r.net_minor;
      totals.set(r.currency, t);
    }
    res.json({
      period: { label: period.label, from: fromDay, to: toDay, time_zone: tz },
      group_by,
      by,
      rows,
      totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    });
  });

  return router;
}
