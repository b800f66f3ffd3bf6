import { proxyActivities } from '@temporalio/workflow';

const acts = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

/** Benchmark baseline: the cheapest workflow of the same shape (three activities in a row). */
export async function threeNoopActivities(): Promise<void> {
  await acts.noop();
  await acts.noop();
  await acts.noop();
}
