import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { recordFailedAttempt } from '../domain/payments/webhook-events';
import { eventIdOfWorkflow } from '../contracts/webhooks';

/** Activities whose own job is the projection: recording their failures there would loop. */
const BOOKKEEPING = new Set(['openWebhookEvent', 'markWebhookFailed', 'markWebhookRetrying', 'markWebhookFinished', 'recordAlert', 'resolveAlert']);

/**
 * Records every failed attempt of a webhook workflow's activity on its webhook-event projection
 * (step, attempt number, error), so operators see each attempt's outcome, not just the last.
 */
export function attemptRecorder(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          const { activityType, attempt, workflowExecution } = ctx.info;
          const eventId = workflowExecution && eventIdOfWorkflow(workflowExecution.workflowId);
          if (!BOOKKEEPING.has(activityType) && eventId) {
            await recordFailedAttempt({ eventId, step: activityType, attempt, error: (err as Error).message }).catch(() => {
              // Never let bookkeeping turn a provider failure into a different one.
            });
          }
          throw err;
        }
      },
    },
  };
}
