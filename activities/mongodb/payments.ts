/** MongoDB activities of the webhook pipeline: the payment projection and the webhook-event log. */
import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import type { PaymentSnapshot, SavePaymentResult } from '../../contracts/webhooks';
import { paymentStore } from '../../domain/payments/payment-store';
import { webhookEventStore, type StepFailure } from '../../domain/payments/webhook-events';
import { activityExecutionKey, callingWorkflowId } from './activity-identity';

type Tz = Pick<Config, 'SCHEDULE_TIMEZONE'>;
const DEFAULT_TZ: Tz = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE };

export function createPaymentStoreActivities(config: Tz = DEFAULT_TZ) {
  const store = paymentStore(config);
  return {
    /** The calling workflow claims the payment's move into `approved` (its CRM steps hang on it). */
    savePayment: (p: PaymentSnapshot): Promise<SavePaymentResult> => store.savePayment(p, callingWorkflowId()),
  };
}

export function createWebhookEventActivities(config: Tz = DEFAULT_TZ) {
  const events = webhookEventStore(config);
  type Finished = Parameters<typeof events.markWebhookFinished>[0];
  return {
    openWebhookEvent: events.openWebhookEvent,
    markWebhookRetrying: events.markWebhookRetrying,
    markWebhookFailed: (input: StepFailure) => events.markWebhookFailed(input, activityExecutionKey('webhook')),
    markWebhookFinished: (input: Finished) => events.markWebhookFinished(input, activityExecutionKey('webhook')),
  };
}
