import { Alert } from './alert';
import { HealthCheck } from './health-check';
import { Payment } from './payment';
import { PaymentTransition } from './payment-transition';
import { SecurityEvent } from './security-event';
import { WebhookEvent } from './webhook-event';

export const ALL_MODELS = [Alert, HealthCheck, Payment, PaymentTransition, SecurityEvent, WebhookEvent];

/**
 * Creates every index before the first write: the unique ones (paymentId, eventId, dedupKey) are
 * what make single-document upserts safe under concurrency.
 */
export async function ensureIndexes(): Promise<void> {
  await Promise.all(ALL_MODELS.map((m) => m.createIndexes()));
}
