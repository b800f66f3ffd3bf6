import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from './time-skipping';

test('time-skipping server: a 1-day durable timer completes in seconds', async () => {
  const env = await createTimeSkippingEnv();
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'harness-time-skipping',
      workflowsPath: require.resolve('../fixtures/timer-workflows'),
    });
    const wallStart = Date.now();
    const skippedStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute('waitOneDay', { taskQueue: 'harness-time-skipping', workflowId: 'wait-one-day' }),
    );
    const skippedMs = (await env.currentTimeMs()) - skippedStart;
    assert.equal(result, 'woke up');
    assert.ok(skippedMs >= 24 * 3600 * 1000, `server time advanced only ${skippedMs} ms`);
    assert.ok(Date.now() - wallStart < 60000, 'a day of workflow time took over a minute of wall time');
  } finally {
    await env.teardown();
  }
});
