/**
 * Coupons redeemed exactly once under concurrency, on FerretDB v1 (no transactions, no atomic
 * conditional update or `$inc`): a redemption is a slot claimed with insertOnce, the unique `_id`
 * being the one atomic primitive (domain/persistence/write-patterns.ts).
 *
 *   - a coupon limited to N uses has slots `<CODE>:1` … `<CODE>:N`; a checkout inserts the first
 *     free one, and of two concurrent inserts of one slot exactly one wins, so at most N orders
 *     ever hold a slot;
 *   - a per-customer limit M likewise: `<CODE>:customer:<id>:1` … `:M`;
 *   - a coupon without a total limit gets `<CODE>:order:<number>` (its usage is still countable).
 * Releasing (the order saga's compensation: cancelled, rejected or timed out before payment)
 * deletes the order's slots, which makes them claimable again. Redeeming is idempotent by order
 * number: a retried activity finds the slots its order already holds.
 */
import { Coupon, CouponRedemption } from '../persistence/models/coupon';
import { insertOnce } from '../persistence/write-patterns';
import type { CouponRefusal } from './coupons';

export interface RedeemRequest {
  code: string;
  orderNumber: string;
  customerId: string;
  discountMinor: number;
}
export type RedeemResult = { redeemed: true; slots: string[] } | { redeemed: false; refusal: CouponRefusal; message: string };

/** Claims the first free slot among `ids` (lazily generated) for the order; its id, or undefined if all are taken. */
async function claimFirstFree(kind: 'total' | 'customer', ids: (taken: Set<string>) => Iterable<string>, taken: Set<string>, r: RedeemRequest): Promise<string | undefined> {
  for (const id of ids(taken)) {
    if (taken.has(id)) continue;
    if (await insertOnce(CouponRedemption, { _id: id, code: r.code, kind, orderNumber: r.orderNumber, customerId: r.customerId, discountMinor: r.discountMinor, at: new Date() })) {
      return settle(kind, id, r);
    }
  }
  return undefined;
}

/**
 * Two attempts of one redemption (a zombie activity retried after a timeout) could each win a
 * slot; both keep the same one (the lowest id) and each gives back its own other.
 */
async function settle(kind: 'total' | 'customer', mine: string, r: RedeemRequest): Promise<string> {
  const held = (await CouponRedemption.find({ orderNumber: r.orderNumber, code: r.code, kind }, { _id: 1 }).lean()).map((d) => d._id).sort();
  const keep = held[0] ?? mine;
  if (keep !== mine) await CouponRedemption.deleteOne({ _id: mine, orderNumber: r.orderNumber });
  return keep;
}

function* numbered(prefix: string, limit: number) {
  for (let n = 1; n <= limit; n++) yield `${prefix}:${n}`;
}

export async function redeemCoupon(r: RedeemRequest): Promise<RedeemResult> {
  const coupon = await Coupon.findById(r.code).lean();
  const held = await CouponRedemption.find({ orderNumber: r.orderNumber, code: r.code }).lean();
  const heldTotal = held.find((h) => h.kind === 'total')?._id;
  let heldCustomer = held.find((h) => h.kind === 'customer')?._id;
  if (!coupon) return { redeemed: false, refusal: 'coupon_not_found', message: `no coupon ${r.code}` };

  let claimedCustomer: string | undefined;
  if (!heldCustomer && coupon.perCustomerLimit) {
    const prefix = `${r.code}:customer:${r.customerId}`;
    const taken = new Set((await CouponRedemption.find({ code: r.code, kind: 'customer', customerId: r.customerId }, { _id: 1 }).lean()).map((d) => d._id));
    claimedCustomer = await claimFirstFree('customer', () => numbered(prefix, coupon.perCustomerLimit!), taken, r);
    if (!claimedCustomer) return { redeemed: false, refusal: 'coupon_customer_limit', message: `coupon ${r.code} may be used ${coupon.perCustomerLimit} time(s) per customer` };
    heldCustomer = claimedCustomer;
  }

  let total = heldTotal;
  if (!total) {
    if (coupon.usageLimit) {
      const taken = new Set((await CouponRedemption.find({ code: r.code, kind: 'total' }, { _id: 1 }).lean()).map((d) => d._id));
      total = taken.size >= coupon.usageLimit && [...numbered(r.code, coupon.usageLimit)].every((id) => taken.has(id)) ? undefined : await claimFirstFree('total', () => numbered(r.code, coupon.usageLimit!), taken, r);
    } else {
      total = await claimFirstFree('total', () => [`${r.code}:order:${r.orderNumber}`], new Set(), r);
      // Already inserted by an earlier attempt of this order: it is ours.
      total ??= `${r.code}:order:${r.orderNumber}`;
    }
  }
  if (!total) {
    if (claimedCustomer) await CouponRedemption.deleteOne({ _id: claimedCustomer, orderNumber: r.orderNumber });
    return { redeemed: false, refusal: 'coupon_exhausted', message: `coupon ${r.code} has been used its ${coupon.usageLimit} time(s)` };
  }
  return { redeemed: true, slots: [total, ...(heldCustomer ? [heldCustomer] : [])] };
}

/** Gives the order's slots back (they become claimable again); idempotent. */
export async function releaseCoupon(r: { code: string; orderNumber: string }): Promise<{ released: number }> {
  const res = await CouponRedemption.deleteMany({ orderNumber: r.orderNumber, code: r.code });
  return { released: res.deletedCount ?? 0 };
}

/** How many orders hold a slot of the coupon now, and how many of them are this customer's. */
export async function couponUsage(code: string, customerId?: string): Promise<{ used: number; usedByCustomer: number }> {
  const used = await CouponRedemption.countDocuments({ code, kind: 'total' });
  const usedByCustomer = customerId ? await CouponRedemption.countDocuments({ code, kind: 'total', customerId }) : 0;
  return { used, usedByCustomer };
}
