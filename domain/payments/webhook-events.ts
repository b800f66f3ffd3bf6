import { Context } from '@temporalio/activity';
import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { countEvent, durationBucket } from '../persistence/counters';
import { createAlertActivities } from '../ops/alerts';
import { WebhookEvent } from '../persistence/models/webhook-event';

export interface StepFailure {
  eventId: string;
  step: string;
  error: string;
}

/** Counted once per activity execution (its identity is the claim), in the webhook metric buckets. */
function countWebhookOutcome(timeZone: string, inc: Record<string, number>): Promise<boolean> {
  const info = Context.current().info;
  return countEvent({
    family: 'webhooks',
    at: new Date(),
    granularities: ['m5', 'd'],
    timeZone,
    claimKey: `webhook:${info.workflowExecution?.workflowId}:${info.workflowExecution?.runId}:${info.activityId}`,
    inc,
  });
}

/** MongoDB activities that keep the webhook-event projection and the alerts ops workflows read. */
export function createWebhookEventActivities(config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) {
  return {
    ...createAlertActivities(),
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

    async markWebhookFailed(input: StepFailure): Promise<void> {
      await WebhookEvent.updateOne(
        { _id: input.eventId },
        { $set: { status: 'failed', failedStep: input.step, lastError: input.error, updatedAt: new Date() } },
      );
      await countWebhookOutcome(config.SCHEDULE_TIMEZONE, { failed: 1 });
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
    }): Promise<void> {
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
      await countWebhookOutcome(config.SCHEDULE_TIMEZONE, {
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
