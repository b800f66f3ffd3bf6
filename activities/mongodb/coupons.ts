/** The order saga's coupon step: claim the order's redemption slots, or give them back. */
import { redeemCoupon, releaseCoupon } from '../../domain/orders/coupon-redemptions';

export function createCouponActivities() {
  return { redeemCoupon, releaseCoupon };
}
