/** The activity proxies of the MercadoPago notification workflows (both versions share them). */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createGoHighLevelActivities } from '../../activities/gohighlevel/activities';
import type { createMercadoPagoActivities } from '../../activities/mercadopago/activities';
import type { createPaymentStoreActivities, createWebhookEventActivities } from '../../activities/mongodb/payments';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import type { createOrderRoutingActivities } from '../../activities/temporal/order-routing';
import { goHighLevelCall, mercadoPagoCall, databaseStep, databaseStepLocal, retriedUntilDone, retriedUntilDoneLocal } from '../retry-policies';

export const mercadopago = proxyActivities<ReturnType<typeof createMercadoPagoActivities>>(mercadoPagoCall);
export const crm = proxyActivities<ReturnType<typeof createGoHighLevelActivities>>(goHighLevelCall);
export const payments = proxyActivities<ReturnType<typeof createPaymentStoreActivities>>(databaseStep);
export const events = proxyActivities<ReturnType<typeof createWebhookEventActivities>>(retriedUntilDone);
// The one alert path (activities/temporal/alerting.ts): paged at once, retried until it is.
export const alerts = proxyActivities<ReturnType<typeof createAlertingActivities>>(retriedUntilDone);
// Signal-with-start of a closed order's payments workflow: a Temporal call, like a database step.
export const routing = proxyActivities<ReturnType<typeof createOrderRoutingActivities>>(databaseStep);
// The short, idempotent MongoDB writes of the lean course, as local activities (see notification-lean.ts).
export const localPayments = proxyLocalActivities<ReturnType<typeof createPaymentStoreActivities>>(databaseStepLocal);
export const localEvents = proxyLocalActivities<ReturnType<typeof createWebhookEventActivities>>(retriedUntilDoneLocal);
