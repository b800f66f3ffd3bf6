import type { Config, TaskQueueName } from '../common/config';
import { createEmailActivities } from '../activities/email/activities';
import { createGoHighLevelActivities } from '../activities/gohighlevel/activities';
import { createMercadoPagoActivities } from '../activities/mercadopago/activities';
import { createAlertActivities } from '../domain/ops/alerts';
import { createHealthCheckActivities } from '../domain/ops/health-checks';
import { createCommissionStoreActivities } from '../domain/commissions/commission-store';
import { createOrderStoreActivities } from '../domain/orders/order-store';
import { createPayoutActivities } from '../domain/commissions/payouts';
import { createPaymentStoreActivities } from '../domain/payments/payment-store';
import { createWebhookEventActivities } from '../domain/payments/webhook-events';
import { createStockActivities } from '../domain/catalog/stock';
import { createProbeActivities } from '../domain/ops/dependency-probes';
import { createBackupActivities } from '../domain/ops/backups';
import { createRetentionActivities } from '../domain/ops/retention';
import { createMetricsActivities } from '../domain/ops/metrics-snapshot';
import { createNotificationActivities } from '../activities/notifications/activities';
import { createAlertingActivities } from '../domain/ops/alerting';
import { createIncidentActivities } from '../domain/ops/incidents';

type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * The activities each task queue's worker registers, grouped by the system they talk to.
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
      };
    case 'orders':
      return {
        ...createStockActivities(),
        ...createOrderStoreActivities(config),
        ...createAlertActivities(),
        ...createMercadoPagoActivities(config),
        ...createGoHighLevelActivities(config),
        ...createEmailActivities(config),
      };
    case 'commissions':
      return { ...createCommissionStoreActivities(), ...createPayoutActivities(), ...createAlertActivities() };
  }
}
