/**
 * Sales analytics (seed 003 §5.8 /admin/analytics and the dashboard's money figures), written as
 * events happen into the metric counters' day buckets (family `sales`, ../persistence/counters.ts:
 * the same group commit and per-event claims as the payment metrics), so a report reads one
 * document per day of its period — the same cost whether the history holds a thousand orders or a
 * million.
 *
 * Written by the worker (one writing process per family, see counters.ts):
 *   - when an order is first recorded paid (orderStore.recordOrder): orders, gross and the order's
 *     total split over its lines (a coupon's discount lowers every line pro rata), units, per
 *     product and per category, on the local day of `paidAt`;
 *   - when a refund of the order's paying payment is recorded (paymentStore.savePayment): the
 *     refund split over the lines the same way, on the refund's day; a chargeback likewise (and
 *     its reimbursement, negative, if MercadoPago decides for us).
 * Counter paths in a `sales:d:<day>` bucket (escaped with counterKey):
 *   orders.<cur>, fromCart.<cur>, gross.<cur>, refunds.<cur>,
 *   p.<sku>.<cur>.{sales,units,refunds}, cat.<category>.<cur>.{sales,units,refunds}.
 */
import type { Config } from '../../common/config';
import { countEvent, counterKey, counterKeyText, bucketId, localDay, readCounters } from '../persistence/counters';
import { Order } from '../persistence/models/order';
import { Product } from '../persistence/models/product';

export const UNCATEGORIZED = 'uncategorized';

export interface SaleLine {
  sku: string;
  quantity: number;
  lineTotalMinor: number;
  category?: string;
}

export interface PaidOrder {
  orderNumber: string;
  currency: string;
  totalMinor: number;
  items: SaleLine[];
  paidAt: string;
  fromCart?: boolean;
}

/**
 * Splits `amount` over `weights` pro rata in whole minor units, the remainder to the largest
 * fractions (ties to the first line): the parts always sum to `amount` exactly.
 */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (total <= 0) return weights.map((_, i) => (i === 0 ? amount : 0));
  const sign = amount < 0 ? -1 : 1;
  const abs = Math.abs(amount);
  const exact = weights.map((w) => (abs * w) / total);
  const parts = exact.map(Math.floor);
  let left = abs - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] += 1;
    left -= 1;
  }
  return parts.map((p) => p * sign);
}

/** The line's category: on the order item if the catalog put it there, else the product's, else uncategorized. */
async function categoriesOf(items: SaleLine[]): Promise<string[]> {
  return Promise.all(
    items.map(async (it) => {
      if (it.category) return it.category;
      const p = await Product.findById(it.sku, { category: 1 }).lean<{ category?: unknown }>();
      return typeof p?.category === 'string' && p.category ? p.category : UNCATEGORIZED;
    }),
  );
}

function lineIncrements(items: SaleLine[], categories: string[], cur: string, parts: number[], field: 'sales' | 'refunds', withUnits: boolean) {
  const inc: Record<string, number> = {};
  const add = (k: string, v: number) => (inc[k] = (inc[k] ?? 0) + v);
  items.forEach((it, i) => {
    const sku = counterKey(it.sku);
    const cat = counterKey(categories[i]);
    add(`p.${sku}.${cur}.${field}`, parts[i]);
    add(`cat.${cat}.${cur}.${field}`, parts[i]);
    if (withUnits) {
      add(`p.${sku}.${cur}.units`, it.quantity);
      add(`cat.${cat}.${cur}.units`, it.quantity);
    }
  });
  return inc;
}

/** What a paid order adds to its day bucket (pure: the bench seeds history with it too). */
export function saleIncrements(o: Pick<PaidOrder, 'currency' | 'totalMinor' | 'items' | 'fromCart'>, categories: string[]): Record<string, number> {
  const cur = counterKey(o.currency);
  const parts = allocate(o.totalMinor, o.items.map((i) => i.lineTotalMinor));
  return {
    [`orders.${cur}`]: 1,
    [`gross.${cur}`]: o.totalMinor,
    ...(o.fromCart ? { [`fromCart.${cur}`]: 1 } : {}),
    ...lineIncrements(o.items, categories, cur, parts, 'sales', true),
  };
}

/** What money taken back from a paid order (refund, chargeback; negative: reimbursed) adds to its day bucket. */
export function refundIncrements(o: { currency: string; items: SaleLine[] }, categories: string[], amountMinor: number): Record<string, number> {
  const cur = counterKey(o.currency);
  const parts = allocate(amountMinor, o.items.map((i) => i.lineTotalMinor));
  return { [`refunds.${cur}`]: amountMinor, ...lineIncrements(o.items, categories, cur, parts, 'refunds', false) };
}

export function salesCounters(config: Pick<Config, 'SCHEDULE_TIMEZONE'>) {
  const count = (claimKey: string, at: Date, inc: Record<string, number>) =>
    countEvent({ family: 'sales', at, granularities: ['d'], timeZone: config.SCHEDULE_TIMEZONE, claimKey, inc });

  return {
    /** Counts a paid order once (its claim `sale:<number>`, on the day it was paid). */
    async countPaidOrder(o: PaidOrder): Promise<boolean> {
      return count(`sale:${o.orderNumber}`, new Date(o.paidAt), saleIncrements(o, await categoriesOf(o.items)));
    },

    /**
     * Counts money taken back from an order's paying payment, as the payment store first sees it
     * (it passes only what is new against the stored payment, before writing it): each refund by its
     * id on its day, a chargeback once per payment, and its reimbursement (negative) if MercadoPago
     * decides for us. Payments that did not pay an order (duplicates, late payments) were never
     * sales, so their refunds are not counted here.
     */
    async countReversals(p: {
      paymentId: string;
      orderNumber?: string;
      refunds: { refundId: string | number; amountMinor: number; dateCreated?: string | Date }[];
      chargedBackMinor?: number;
      reimbursedMinor?: number;
    }): Promise<void> {
      if (!p.orderNumber || (p.refunds.length === 0 && !p.chargedBackMinor && !p.reimbursedMinor)) return;
      const order = await Order.findById(p.orderNumber, { items: 1, currency: 1, payment: 1 }).lean<{ items: SaleLine[]; currency: string; payment?: { paymentId?: string } }>();
      if (!order || order.payment?.paymentId !== p.paymentId) return;
      const categories = await categoriesOf(order.items);
      const taken = (claimKey: string, at: Date, amount: number) => count(claimKey, at, refundIncrements(order, categories, amount));
      for (const r of p.refunds) {
        if (!(r.amountMinor > 0)) continue;
        const d = r.dateCreated ? new Date(r.dateCreated) : undefined;
        await taken(`sales-refund:${r.refundId}`, d && !Number.isNaN(d.getTime()) ? d : new Date(), r.amountMinor);
      }
      if (p.chargedBackMinor && p.chargedBackMinor > 0) await taken(`sales-chargeback:${p.paymentId}`, new Date(), p.chargedBackMinor);
      if (p.reimbursedMinor && p.reimbursedMinor > 0) await taken(`sales-chargeback-reimbursed:${p.paymentId}`, new Date(), -p.reimbursedMinor);
    },
  };
}

// ---- Reading -------------------------------------------------------------------------------

export type Counters = { [k: string]: number | Counters };
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const sub = (c: Counters | undefined, k: string): Counters => ((c?.[k] as Counters) ?? {}) as Counters;

/** The local days (YYYY-MM-DD) from `from` to `to` inclusive, stepping by calendar day. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  const d = new Date(`${fromDay}T00:00:00Z`);
  const end = new Date(`${toDay}T00:00:00Z`);
  while (d <= end) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** ISO week label of a calendar day: `2026-W49`. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const dayNum = d.getUTCDay() || 7; // Monday 1 … Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - dayNum); // the week's Thursday decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Reads the day buckets, summing each bucket's per-writer shards (`readCounters`: `_id` lookups only,
 * the one filter FerretDB answers from an index), so every worker's sales are counted.
 */
export async function readSalesDays(days: string[]): Promise<Map<string, Counters>> {
  const byId = await readCounters(days.map((day) => bucketId('sales', 'd', day)));
  return new Map(days.map((day) => [day, byId.get(bucketId('sales', 'd', day)) ?? {}]));
}

export interface CurrencyTotals {
  currency: string;
  orders: number;
  orders_from_cart: number;
  gross_minor: number;
  refunds_minor: number;
  net_minor: number;
}

/** Orders, gross, refunds and net per currency over some day buckets. */
export function totalsOf(buckets: Counters[]): CurrencyTotals[] {
  const by = new Map<string, CurrencyTotals>();
  const row = (cur: string) => {
    let r = by.get(cur);
    if (!r) by.set(cur, (r = { currency: counterKeyText(cur), orders: 0, orders_from_cart: 0, gross_minor: 0, refunds_minor: 0, net_minor: 0 }));
    return r;
  };
  for (const c of buckets) {
    for (const [cur, v] of Object.entries(sub(c, 'orders'))) row(cur).orders += num(v);
    for (const [cur, v] of Object.entries(sub(c, 'fromCart'))) row(cur).orders_from_cart += num(v);
    for (const [cur, v] of Object.entries(sub(c, 'gross'))) row(cur).gross_minor += num(v);
    for (const [cur, v] of Object.entries(sub(c, 'refunds'))) row(cur).refunds_minor += num(v);
  }
  for (const r of by.values()) r.net_minor = r.gross_minor - r.refunds_minor;
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export interface AnalyticsRow {
  bucket: string;
  key: string;
  currency: string;
  sales_minor: number;
  units: number;
  refunds_minor: number;
  net_minor: number;
}

/** Rows per (time bucket, product or category, currency), summed from the day buckets. */
export function analyticsRows(days: Map<string, Counters>, groupOf: (day: string) => string, by: 'product' | 'category'): AnalyticsRow[] {
  const rows = new Map<string, AnalyticsRow>();
  for (const [day, c] of days) {
    const bucket = groupOf(day);
    for (const [key, perCur] of Object.entries(sub(c, by === 'product' ? 'p' : 'cat'))) {
      for (const [cur, f] of Object.entries(perCur as Counters)) {
        const id = `${bucket}\u0000${key}\u0000${cur}`;
        let r = rows.get(id);
        if (!r) rows.set(id, (r = { bucket, key: counterKeyText(key), currency: counterKeyText(cur), sales_minor: 0, units: 0, refunds_minor: 0, net_minor: 0 }));
        const fc = f as Counters;
        r.sales_minor += num(fc.sales);
        r.units += num(fc.units);
        r.refunds_minor += num(fc.refunds);
        r.net_minor = r.sales_minor - r.refunds_minor;
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.bucket.localeCompare(b.bucket) || a.currency.localeCompare(b.currency) || b.sales_minor - a.sales_minor || a.key.localeCompare(b.key));
}

export const dayOf = (at: Date, timeZone: string) => localDay(at, timeZone).day;
