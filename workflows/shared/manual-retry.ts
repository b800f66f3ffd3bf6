/**
 * A failed step that waits for a person: when a step's activity gives up (its retry policy
 * exhausted), `onFailed` reports it (projection, alert) and the step waits for the `retry` signal
 * (`tctl`/`temporal workflow signal --name retry`, or the API); the retry runs the failed step again.
 * Steps already done are never repeated: their completion is in history.
 */
import { ActivityFailure, condition, setHandler } from '@temporalio/workflow';
import { retrySignal } from '../../contracts/webhooks';
import { withinRateLimitBudget } from './rate-limit-budget';

export interface FailedStepHooks {
  onFailed(step: string, error: string): Promise<void>;
  onRetrying(step: string): Promise<void>;
}

export class ManualRetry {
  private readonly failed = new Set<string>();
  private retryGeneration = 0;
  /** How many times a person retried a failed step. */
  retries = 0;

  constructor(private readonly hooks: FailedStepHooks) {
    setHandler(retrySignal, () => {
      // A retry while nothing has failed is a no-op, not a queued surprise for a later failure.
      if (this.failed.size > 0) this.retryGeneration++;
    });
  }

  /**
   * Runs `run` as a step: on an exhausted activity (or a provider's rate limit outlasting its
   * budget), report and wait for a manual retry, then run it again.
   */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await withinRateLimitBudget(run);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const generation = this.retryGeneration;
        this.failed.add(name);
        await this.hooks.onFailed(name, err.cause?.message ?? err.message);
        await condition(() => this.retryGeneration > generation);
        this.failed.delete(name);
        this.retries++;
        await this.hooks.onRetrying(name);
      }
    }
  }
}
