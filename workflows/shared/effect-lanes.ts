/**
 * Side effects of a long-lived business workflow, run in ordered lanes (one per system), each
 * lane independent of the others: CRM being down never holds back a refund. An effect whose
 * activity gives up (its retry policy exhausted) marks the step failed, calls `onFailed` (alert,
 * projection) and waits for a manual `retry` signal; the retry runs the failed effect again and the
 * lane carries on. Effects already done are never repeated: their completion is in history.
 */
import { ActivityFailure, condition, setHandler } from '@temporalio/workflow';
import { retrySignal } from '../../contracts/webhooks';

export interface Effect {
  name: string;
  run: () => Promise<void>;
}

export interface LaneHooks {
  onFailed(step: string, error: string): Promise<void>;
  onRetrying(step: string): Promise<void>;
}

export class EffectLanes<L extends string> {
  private readonly queues = new Map<L, Effect[]>();
  private readonly failed = new Set<string>();
  private retryGeneration = 0;
  private closing = false;
  private readonly drained: Promise<void[]>;
  manualRetries = 0;

  constructor(
    lanes: readonly L[],
    private readonly hooks: LaneHooks,
  ) {
    for (const lane of lanes) this.queues.set(lane, []);
    setHandler(retrySignal, () => {
      // A retry while nothing has failed is a no-op, not a queued surprise for a later failure.
      if (this.failed.size > 0) this.retryGeneration++;
    });
    this.drained = Promise.all(lanes.map((lane) => this.drain(lane)));
  }

  enqueue(lane: L, name: string, run: () => Promise<void>): void {
    this.queues.get(lane)!.push({ name, run });
  }

  /** Names of effects not yet done, in lane order. */
  pending(): string[] {
    return [...this.queues.values()].flat().map((e) => e.name);
  }

  /** Runs `run` as a step: on an exhausted activity, report and wait for a manual retry, then run it again. */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const generation = this.retryGeneration;
        this.failed.add(name);
        await this.hooks.onFailed(name, err.cause?.message ?? err.message);
        await condition(() => this.retryGeneration > generation);
        this.failed.delete(name);
        this.manualRetries++;
        await this.hooks.onRetrying(name);
      }
    }
  }

  /** Lets every lane finish what it holds, then stops them. */
  async close(): Promise<void> {
    this.closing = true;
    await this.drained;
  }

  private async drain(lane: L): Promise<void> {
    const queue = this.queues.get(lane)!;
    for (;;) {
      await condition(() => queue.length > 0 || this.closing);
      if (queue.length === 0) return;
      const effect = queue[0];
      await this.step(effect.name, effect.run);
      queue.shift();
    }
  }
}
