/**
 * Side effects of a long-lived business workflow, run in ordered lanes (one per system), each
 * lane independent of the others: CRM being down never holds back a refund. Each effect is a
 * ManualRetry step: when its activity gives up it is reported and waits for a manual `retry`, and
 * the lane carries on after it.
 */
import { condition } from '@temporalio/workflow';
import { ManualRetry, type FailedStepHooks } from './manual-retry';

export interface Effect {
  name: string;
  run: () => Promise<void>;
}

export class EffectLanes<L extends string> {
  private readonly queues = new Map<L, Effect[]>();
  private readonly gate: ManualRetry;
  private closing = false;
  private readonly drained: Promise<void[]>;

  constructor(lanes: readonly L[], hooks: FailedStepHooks) {
    for (const lane of lanes) this.queues.set(lane, []);
    this.gate = new ManualRetry(hooks);
    this.drained = Promise.all(lanes.map((lane) => this.drain(lane)));
  }

  get manualRetries(): number {
    return this.gate.retries;
  }

  enqueue(lane: L, name: string, run: () => Promise<void>): void {
    this.queues.get(lane)!.push({ name, run });
  }

  /** Names of effects not yet done, in lane order. */
  pending(): string[] {
    return [...this.queues.values()].flat().map((e) => e.name);
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
      await this.gate.step(effect.name, effect.run);
      queue.shift();
    }
  }
}
