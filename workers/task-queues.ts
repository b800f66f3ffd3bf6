import type { Config } from '../common/config';
import type { TaskQueueName } from '../contracts/task-queues';
import { createBackupActivities } from '../activities/backup/activities';
import { createEmailActivities } from '../activities/email/activities';
import { createCartActivities } from '../activities/email/cart-reminder';
import { createDigestEmailActivities } from '../activities/email/weekly-digest';
import { createGoHighLevelActivities } from '../activities/gohighlevel/activities';
import { createMercadoPagoActivities } from '../activities/mercadopago/activities';
import { createReconciliationActivities } from '../activities/mercadopago/reconciliation';
import { createCouponActivities } from '../activities/mongodb/coupons';
import { createCommissionStoreActivities, createPayoutActivities } from '../activities/mongodb/commissions';
import { createHealthCheckActivities, createIncidentActivities, createMetricsActivities, createRetentionActivities, createWeeklyDigestStoreActivities } from '../activities/mongodb/ops';
import { createOrderStoreActivities, createStockActivities } from '../activities/mongodb/orders';
import { createPaymentStoreActivities, createWebhookEventActivities } from '../activities/mongodb/payments';
import { createNotificationActivities } from '../activities/notifications/activities';
import { createProbeActivities } from '../activities/probes';
import { createAlertingActivities } from '../activities/temporal/alerting';
import { createOrderRoutingActivities } from '../activities/temporal/order-routing';

type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * The activities each task queue's worker registers, grouped by the system they talk to. Every
 * queue whose workflows raise alerts registers the alerting activities (the one alert path).
 * (GoHighLevel activities stay registered on `webhooks` and `orders` too, for executions that
 * scheduled them there before the `gohighlevel` queue existed.)
 */
export function activitiesFor(queue: TaskQueueName, config: Config): Activities {
  switch (queue) {
    case 'webhooks':
      return {
        ...createMercadoPagoActivities(config),
        ...createGoHighLevelActivities(config),
        ...createPaymentStoreActivities(config),
        ...createWebhookEventActivities(config),
        ...createAlertingActivities(config),
        ...createOrderRoutingActivities(),
        ...createReconciliationActivities(config),
      };
    case 'gohighlevel':
      return createGoHighLevelActivities(config);
    case 'ops':
      return {
        ...createProbeActivities(config),
        ...createHealthCheckActivities(config),
        ...createAlertingActivities(config),
        ...createIncidentActivities(),
        ...createNotificationActivities(config),
        ...createMetricsActivities(config),
        ...createBackupActivities(config),
        ...createRetentionActivities(),
        ...createWeeklyDigestStoreActivities(config),
        ...createDigestEmailActivities(config),
      };
    case 'orders':
      return {
        ...createStockActivities(),
        ...createOrderStoreActivities(config),
        ...createAlertingActivities(config),
        ...createMercadoPagoActivities(config),
        ...createGoHighLevelActivities(config),
        ...createEmailActivities(config),
        ...createCouponActivities(),
        ...createCartActivities(config),
      };
    case 'commissions':
      return { ...createCommissionStoreActivities(), ...createPayoutActivities(), ...createAlertingActivities(config) };
  }
}
