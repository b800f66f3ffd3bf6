import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

const acts = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

/** Benchmark baseline: the cheapest workflow of the same shape (three activities in a row). */
export async function threeNoopActivities(): Promise<void> {
  await acts.noop();
  await acts.noop();
  await acts.noop();
}

export const noopCheckoutUpdate = defineUpdate<string>('checkout');

/**
 * Baseline for the order ack: update-with-start whose update answers after three activities (the
 * order's record, reservation and payment link), then the workflow ends.
 */
export async function noopCheckout(): Promise<void> {
  let ready = false;
  setHandler(noopCheckoutUpdate, async () => {
    await condition(() => ready);
    return 'ok';
  });
  await acts.noop();
  await acts.noop();
  await acts.noop();
  ready = true;
  await condition(allHandlersFinished);
}
