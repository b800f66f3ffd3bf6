/**
 * Coupon rules, pure (the order workflow and the API both use them): whether a coupon applies to
 * an order, and the discount in integer minor units. Redemption (the slots) is in
 * ./coupon-redemptions.ts.
 */
import type { Currency } from '../../common/money';

export const COUPON_REFUSALS = ['coupon_not_found', 'coupon_expired', 'coupon_exhausted', 'coupon_min_order', 'coupon_customer_limit', 'coupon_currency'] as const;
export type CouponRefusal = (typeof COUPON_REFUSALS)[number];

export interface CouponRule {
  code: string;
  type: 'percent' | 'fixed';
  percent?: number | null;
  valueMinor?: number | null;
  currency?: string | null;
  validFrom?: Date | string | null;
  validUntil?: Date | string | null;
  minOrderMinor?: number | null;
  active: boolean;
}

export interface AppliedCoupon {
  code: string;
  discountMinor: number;
}

/** The discount on `subtotalMinor`, or why the coupon does not apply (limits aside: they are the slots'). */
export function couponDiscount(coupon: CouponRule | null | undefined, order: { subtotalMinor: number; currency: Currency; at: Date }): { discountMinor: number } | { refusal: CouponRefusal; message: string } {
  if (!coupon || !coupon.active) return { refusal: 'coupon_not_found', message: 'no such coupon' };
  const at = order.at.getTime();
  if (coupon.validFrom && at < new Date(coupon.validFrom).getTime()) return { refusal: 'coupon_expired', message: `coupon ${coupon.code} is valid from ${new Date(coupon.validFrom).toISOString()}` };
  if (coupon.validUntil && at > new Date(coupon.validUntil).getTime()) return { refusal: 'coupon_expired', message: `coupon ${coupon.code} expired at ${new Date(coupon.validUntil).toISOString()}` };
  if (coupon.currency && coupon.currency !== order.currency) return { refusal: 'coupon_currency', message: `coupon ${coupon.code} is for orders in ${coupon.currency}, this order is in ${order.currency}` };
  const min = coupon.minOrderMinor ?? 0;
  if (order.subtotalMinor < min) return { refusal: 'coupon_min_order', message: `coupon ${coupon.code} needs an order of at least ${min} minor units of ${coupon.currency ?? order.currency}` };
  if (coupon.type === 'percent') {
    // Rounded down: the shop never gives more than the percentage.
    return { discountMinor: Math.floor((order.subtotalMinor * (coupon.percent ?? 0)) / 100) };
  }
  const value = coupon.valueMinor ?? 0;
  // A coupon never makes an order free (there would be nothing to pay at MercadoPago).
  if (value >= order.subtotalMinor) return { refusal: 'coupon_min_order', message: `coupon ${coupon.code} takes off ${value} minor units: the order must be worth more than that` };
  return { discountMinor: value };
}

/**
 * The lines of the MercadoPago preference: the order's items as they are, or — once a discount
 * applies — one line for the whole order at its discounted total, since a preference has no
 * discount field and a per-unit price cannot always carry a discount exactly.
 */
export function preferenceItems<I extends { sku: string; name: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }>(order: { orderNumber: string; items: I[]; totalMinor: number; coupon?: AppliedCoupon }): I[] | { sku: string; name: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }[] {
  if (!order.coupon || order.coupon.discountMinor === 0) return order.items;
  const units = order.items.reduce((n, i) => n + i.quantity, 0);
  return [{ sku: order.orderNumber, name: `Pedido ${order.orderNumber} (${units} productos, cupón ${order.coupon.code})`, quantity: 1, unitPriceMinor: order.totalMinor, lineTotalMinor: order.totalMinor }];
}
