/** The order saga's activities, each with the retry policy its step needs. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createEmailActivities } from '../../activities/email/activities';
import type { createGoHighLevelActivities } from '../../activities/gohighlevel/activities';
import type { createMercadoPagoActivities } from '../../activities/mercadopago/activities';
import type { createOrderStoreActivities, createStockActivities } from '../../activities/mongodb/orders';
import type { createCouponActivities } from '../../activities/mongodb/coupons';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import { emailSend, goHighLevelCall, mercadoPagoCall, mercadoPagoWhileCustomerWaits, databaseStep, databaseStepLocal, retriedUntilDone, retriedUntilDoneLocal } from '../retry-policies';

type MercadoPago = ReturnType<typeof createMercadoPagoActivities>;
/** The payment link, while the customer waits for the checkout's answer. */
export const checkoutMp = proxyActivities<MercadoPago>(mercadoPagoWhileCustomerWaits);
export const mp = proxyActivities<MercadoPago>(mercadoPagoCall);
export const crm = proxyActivities<ReturnType<typeof createGoHighLevelActivities>>(goHighLevelCall);
export const email = proxyActivities<ReturnType<typeof createEmailActivities>>(emailSend);
/** Reserving may fail the checkout ("try again"); everything after it must happen. */
export const reserving = proxyActivities<ReturnType<typeof createStockActivities>>(databaseStep);
// Releasing, committing and restocking must happen however long MongoDB is away.
export const stock = proxyActivities<ReturnType<typeof createStockActivities>>(retriedUntilDone);
export const store = proxyActivities<ReturnType<typeof createOrderStoreActivities>>(retriedUntilDone);
// The one alert path (activities/temporal/alerting.ts): paged at once, retried until it is.
export const alerts = proxyActivities<ReturnType<typeof createAlertingActivities>>(retriedUntilDone);
/** Claiming a coupon's slot may refuse or fail the checkout; giving it back must happen. */
export const couponClaim = proxyActivities<ReturnType<typeof createCouponActivities>>(databaseStep);
export const coupons = proxyActivities<ReturnType<typeof createCouponActivities>>(retriedUntilDone);

/**
 * The writes before the checkout answers, as local activities (same schedules): short MongoDB
 * writes keyed by `_id` (the projection by revision, the reservation by order:sku:reserve), so
 * running one again is harmless; they run inside the workflow task instead of one task each.
 */
export const localReserving = proxyLocalActivities<ReturnType<typeof createStockActivities>>(databaseStepLocal);
export const localStore = proxyLocalActivities<ReturnType<typeof createOrderStoreActivities>>(retriedUntilDoneLocal);
