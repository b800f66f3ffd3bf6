import type { Config, TaskQueueName } from '../common/config';
import { createEmailActivities } from '../activities/email/activities';
import { createGoHighLevelActivities } from '../activities/gohighlevel/activities';
import { createMercadoPagoActivities } from '../activities/mercadopago/activities';
import { createAlertActivities } from '../activities/mongo/alerts';
import { createHealthCheckActivities } from '../activities/mongo/health-checks';
import { createCommissionStoreActivities } from '../activities/mongo/commissions';
import { createOrderStoreActivities } from '../activities/mongo/orders';
import { createPayoutActivities } from '../activities/mongo/payouts';
import { createPaymentStoreActivities } from '../activities/mongo/payments';
import { createWebhookEventActivities } from '../activities/mongo/webhook-events';
import { createStockActivities } from '../activities/mongo/stock';
import { createProbeActivities } from '../activities/probes';
import { createBackupActivities } from '../activities/backup/activities';
import { createRetentionActivities } from '../activities/metrics/retention';
import { createMetricsActivities } from '../activities/metrics/snapshot';
import { createNotificationActivities } from '../activities/notifications/activities';
import { createAlertingActivities } from '../activities/ops/alerting';
import { createIncidentActivities } from '../activities/ops/incidents';

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
