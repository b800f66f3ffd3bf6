import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { countEvent, durationBucket } from '../persistence/counters';
import { WebhookEvent } from '../persistence/models/webhook-event';

export interface StepFailure {
  eventId: string;
  step: string;
  error: string;
}

/** Counted once per `countKey` (the activity execution's identity), in the webhook metric buckets. */
function countWebhookOutcome(timeZone: string, countKey: string, inc: Record<string, number>): Promise<boolean> {
  return countEvent({
    family: 'webhooks',
    at: new Date(),
    granularities: ['m5', 'd'],
    timeZone,
    claimKey: countKey,
    inc,
  });
}

/**
 * A delivery the API acknowledges without processing (a type or IPN topic we do not process),
 * counted as `ignored` in the API's own `deliveries` family — the `webhooks` family is the worker's,
 * and on FerretDB each family has one writing process. Counted once per event id (a redelivery the
 * same day is not a second webhook).
 */
export function countIgnoredDelivery(input: { eventId?: string; at: Date; timeZone: string }): Promise<boolean> {
  return countEvent({
    family: 'deliveries',
    at: input.at,
    granularities: ['m5', 'd'],
    timeZone: input.timeZone,
    claimKey: input.eventId ? `ignored-delivery:${input.eventId}` : undefined,
    inc: { ignored: 1 },
  });
}

/** The webhook-event projection (the event log the API lists) and the webhook metric buckets. */
export function webhookEventStore(config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) {
  return {
    /**
     * Opens (or re-opens, on a manual retry) the event's projection. Written by the workflow, not the
     * API, so the webhook's acknowledgement waits only for Temporal's durable start.
     */
    async openWebhookEvent(input: {
      eventId: string;
      provider: string;
      type: string;
      action?: string;
      resourceId: string;
      receivedAt: string;
      workflowId: string;
      runId: string;
      startedAt: string;
    }): Promise<void> {
      const now = new Date();
      await WebhookEvent.updateOne(
        { _id: input.eventId },
        {
          $set: { status: 'processing', workflowId: input.workflowId, runId: input.runId, processingStartedAt: new Date(input.startedAt), updatedAt: now },
          $setOnInsert: { eventId: input.eventId, provider: input.provider, type: input.type, action: input.action, resourceId: input.resourceId, receivedAt: new Date(input.receivedAt) },
        },
        { upsert: true },
      );
    },

    async markWebhookFailed(input: StepFailure, countKey: string): Promise<void> {
      await WebhookEvent.updateOne(
        { _id: input.eventId },
        { $set: { status: 'failed', failedStep: input.step, lastError: input.error, updatedAt: new Date() } },
      );
      await countWebhookOutcome(config.SCHEDULE_TIMEZONE, countKey, { failed: 1 });
    },

    async markWebhookRetrying(input: { eventId: string }): Promise<void> {
      await WebhookEvent.updateOne({ _id: input.eventId }, { $set: { status: 'processing', updatedAt: new Date() }, $inc: { manualRetries: 1 } });
    },

    async markWebhookFinished(input: {
      eventId: string;
      status: 'succeeded' | 'ignored';
      succeededSteps: number;
      paymentStatus?: string;
      orderNumber?: string;
      finishedAt: string;
      durationMs: number;
    }, countKey: string): Promise<void> {
      await WebhookEvent.updateOne(
        { _id: input.eventId },
        {
          $set: {
            status: input.status,
            paymentStatus: input.paymentStatus,
            orderNumber: input.orderNumber,
            finishedAt: new Date(input.finishedAt),
            durationMs: input.durationMs,
            updatedAt: new Date(),
          },
          $unset: { failedStep: '' },
          $inc: { attempts: input.succeededSteps },
        },
      );
      await countWebhookOutcome(config.SCHEDULE_TIMEZONE, countKey, {
        [input.status]: 1,
        duration_ms_sum: input.durationMs,
        duration_count: 1,
        [`duration.${durationBucket(input.durationMs)}`]: 1,
      });
    },
  };
}

/** Records each failed activity attempt on the webhook event (used by the worker's activity interceptor). */
export async function recordFailedAttempt(input: { eventId: string; step: string; attempt: number; error: string }): Promise<void> {
  await WebhookEvent.updateOne(
    { _id: input.eventId },
    {
      $push: { attemptLog: { step: input.step, attempt: input.attempt, outcome: 'failed', error: input.error.slice(0, 1000), at: new Date() } },
      $inc: { attempts: 1 },
      $set: { lastError: input.error.slice(0, 1000), updatedAt: new Date() },
    },
  );
}
