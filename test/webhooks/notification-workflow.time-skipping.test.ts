/**
 * Workflow logic of processMercadoPagoNotification on the time-skipping server: the provider retry
 * schedule (1 min, 5 min, 15 min) is observed on the server's clock, exhaustion leaves the workflow
 * alive and failed, and a `retry` signal resumes at the failed step without repeating done ones.
 * Activities here are in-memory doubles of the I/O; the real ones are exercised by the integration tests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type MercadoPagoNotification, mercadoPagoNotificationWorkflow, notificationStateQuery, type PaymentSnapshot, retrySignal } from '../../contracts/webhooks';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';
import { RATE_LIMITED } from '../../contracts/provider-errors';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const payment: PaymentSnapshot = {
  paymentId: '555',
  status: 'approved',
  amount: 100,
  amountRefunded: 0,
  currency: 'ARS',
  payerEmail: 'ana@example.com',
  dateLastUpdated: '2026-11-22T10:00:00.000Z',
};

function notification(eventId: string): MercadoPagoNotification {
  return { eventId, source: 'webhook', type: 'payment', action: 'payment.updated', resourceId: '555', receivedAt: '2026-11-22T10:00:01.000Z', crmApprovedTag: 'pago-aprobado' };
}

/** In-memory doubles that count calls and can be told to fail. */
function doubles() {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const failures: string[] = [];
  const attemptTimes: Record<string, number[]> = {};
  const state = { crmDown: false, fetchDown: false };
  const activities = {
    async fetchMercadoPagoPayment() {
      count('fetchMercadoPagoPayment');
      (attemptTimes.fetch ??= []).push(await env.currentTimeMs());
      if (state.fetchDown) throw ApplicationFailure.create({ message: 'MercadoPago 503', type: 'ProviderUnavailable' });
      return payment;
    },
    async savePayment() {
      count('savePayment');
      return { outcome: 'inserted' as const, becameApproved: true };
    },
    async upsertCrmContact() {
      count('upsertCrmContact');
      return { contactId: 'c-1', created: true };
    },
    async tagCrmContact() {
      count('tagCrmContact');
      (attemptTimes.tag ??= []).push(await env.currentTimeMs());
      if (state.crmDown) throw ApplicationFailure.create({ message: 'GoHighLevel 502', type: 'ProviderUnavailable' });
      return { tags: ['pago-aprobado'] };
    },
    async openWebhookEvent() {},
    async markWebhookFailed(input: { step: string }) {
      failures.push(input.step);
    },
    async markWebhookRetrying() {
      count('markWebhookRetrying');
    },
    async markWebhookFinished() {
      count('markWebhookFinished');
    },
    async recordAlert() {
      count('recordAlert');
    },
    async resolveAlert() {
      count('resolveAlert');
    },
  };
  return { activities, calls, failures, attemptTimes, state };
}

/** Runs `fn` with workers for the test's queue and for `gohighlevel`. */
const worker = (taskQueue: string, activities: object) => ({ runUntil: <T>(fn: () => Promise<T>) => runWithWorkers(env, taskQueue, activities, fn) });

test('provider retries follow 1 min, 5 min, 15 min; exhaustion → failed and waiting; retry → success, nothing done twice', async () => {
  const d = doubles();
  d.state.crmDown = true;
  const w = worker('wf-schedule', d.activities);
  await w.runUntil(async () => {
    const handle = await env.client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'wf-schedule', workflowId: 'wf-schedule-1', args: [notification('mp-1')] });
    // Let the server clock run through the whole retry window (21 minutes) and then some.
    await env.sleep('30 minutes');
    const failed = await handle.query(notificationStateQuery);
    assert.equal(failed.phase, 'failed');
    assert.equal(failed.failedStep, 'tagCrmContact');
    assert.match(failed.lastError ?? '', /GoHighLevel 502/);
    assert.deepEqual(d.failures, ['tagCrmContact']);
    assert.equal(d.calls.recordAlert, 1);

    const t = d.attemptTimes.tag;
    assert.equal(t.length, 4, 'first try + 3 retries');
    const gapsMin = t.slice(1).map((x, i) => Math.round((x - t[i]) / 60000));
    assert.deepEqual(gapsMin, [1, 5, 15]);

    // Still waiting: more time passes, no more attempts.
    await env.sleep('2 hours');
    assert.equal(d.attemptTimes.tag.length, 4);

    d.state.crmDown = false;
    await handle.signal(retrySignal);
    const done = await handle.result();
    assert.equal(done.phase, 'succeeded');
    assert.equal(done.manualRetries, 1);
    assert.deepEqual(done.completedSteps, ['fetchPayment', 'savePayment', 'upsertCrmContact', 'tagCrmContact']);
  });
  // Steps that had finished before the failure ran once; the failed one ran 4 + 1 times.
  assert.equal(d.calls.fetchMercadoPagoPayment, 1);
  assert.equal(d.calls.savePayment, 1);
  assert.equal(d.calls.upsertCrmContact, 1);
  assert.equal(d.calls.tagCrmContact, 5);
  assert.equal(d.calls.markWebhookRetrying, 1);
  assert.equal(d.calls.markWebhookFinished, 1);
  assert.equal(d.calls.resolveAlert, 1, 'the alert is resolved once the event recovers');
});

test('a retry signal while nothing has failed is ignored; a second failure waits for a second retry', async () => {
  const d = doubles();
  d.state.fetchDown = true;
  const w = worker('wf-twice', d.activities);
  await w.runUntil(async () => {
    const handle = await env.client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'wf-twice', workflowId: 'wf-twice-1', args: [notification('mp-2')] });
    await env.sleep('30 minutes');
    assert.equal((await handle.query(notificationStateQuery)).failedStep, 'fetchPayment');
    await handle.signal(retrySignal); // still down: 4 more attempts, then failed again
    await env.sleep('30 minutes');
    const again = await handle.query(notificationStateQuery);
    assert.equal(again.phase, 'failed');
    assert.equal(again.manualRetries, 1);
    assert.equal(d.attemptTimes.fetch.length, 8);
    d.state.fetchDown = false;
    await handle.signal(retrySignal);
    const done = await handle.result();
    assert.equal(done.phase, 'succeeded');
    assert.equal(done.manualRetries, 2);
  });
  assert.deepEqual(d.failures, ['fetchPayment', 'fetchPayment']);
});

test('a permanent provider error is not retried: failed at once, waiting for ops', async () => {
  const d = doubles();
  d.activities.fetchMercadoPagoPayment = async () => {
    (d.attemptTimes.fetch ??= []).push(await env.currentTimeMs());
    throw ApplicationFailure.nonRetryable('MercadoPago 404: Payment not found', 'ProviderRejected');
  };
  const w = worker('wf-permanent', d.activities);
  await w.runUntil(async () => {
    const handle = await env.client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'wf-permanent', workflowId: 'wf-permanent-1', args: [notification('mp-3')] });
    await env.sleep('1 hour');
    const s = await handle.query(notificationStateQuery);
    assert.equal(s.phase, 'failed');
    assert.equal(d.attemptTimes.fetch.length, 1);
    await handle.terminate('test done');
  });
});

/** A 429 as activities/http/provider-call.ts throws it. */
const rateLimited = (retryAfterMs: number) => ApplicationFailure.create({ message: 'GoHighLevel 429: Too Many Requests', type: RATE_LIMITED, details: [{ provider: 'gohighlevel', status: 429, retryAfterMs }], nextRetryDelay: retryAfterMs });

test('429s never spend the failure schedule: Retry-After is waited (at least), the step goes on and succeeds without a failure or a page', async () => {
  const d = doubles();
  let limited = 12;
  d.activities.tagCrmContact = async () => {
    (d.attemptTimes.tag ??= []).push(await env.currentTimeMs());
    if (limited-- > 0) throw rateLimited(limited > 6 ? 1000 : 90_000);
    return { tags: ['pago-aprobado'] };
  };
  const w = worker('wf-429', d.activities);
  const done = await w.runUntil(async () => {
    const handle = await env.client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'wf-429', workflowId: 'wf-429-1', args: [notification('mp-429')] });
    return handle.result();
  });
  assert.equal(done.phase, 'succeeded');
  assert.deepEqual(d.failures, [], 'twelve 429s are not a failure');
  assert.equal(d.calls.recordAlert, undefined, 'nobody paged');
  const t = d.attemptTimes.tag;
  assert.equal(t.length, 13, '12 rate-limited calls + the good one: more than the schedule’s 4 attempts');
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  // Retry-After is a lower bound; without a longer one the wait doubles from 1 s to 1 min.
  gaps.slice(0, 5).forEach((g, i) => assert.ok(g >= Math.max(1000, 1000 * 2 ** i) && g < 1000 * 2 ** i + 5000, `gap ${i}: ${g} ms`));
  gaps.slice(6).forEach((g, i) => assert.ok(g >= 90_000, `Retry-After 90 s honoured (gap ${i + 6}: ${g} ms)`));
});

test('a rate limit that outlasts its budget (the schedule’s 21 minutes) fails the step, pages once, and waits for a retry', async () => {
  const d = doubles();
  let limitedUntilRetry = true;
  d.activities.tagCrmContact = async () => {
    (d.attemptTimes.tag ??= []).push(await env.currentTimeMs());
    if (limitedUntilRetry) throw rateLimited(1000);
    return { tags: ['pago-aprobado'] };
  };
  const w = worker('wf-429-budget', d.activities);
  await w.runUntil(async () => {
    const handle = await env.client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'wf-429-budget', workflowId: 'wf-429-budget-1', args: [notification('mp-429b')] });
    await env.sleep('19 minutes');
    assert.equal((await handle.query(notificationStateQuery)).phase, 'processing', 'still within the budget at 19 min');
    await env.sleep('10 minutes');
    const failed = await handle.query(notificationStateQuery);
    assert.equal(failed.phase, 'failed');
    assert.equal(failed.failedStep, 'tagCrmContact');
    assert.match(failed.lastError ?? '', /429/);
    const t = d.attemptTimes.tag;
    const spent = t[t.length - 1] - t[0];
    assert.ok(spent >= 20 * 60_000 && spent <= 21 * 60_000, `kept trying for ${Math.round(spent / 1000)} s`);
    assert.equal(d.calls.recordAlert, 1);
    limitedUntilRetry = false;
    await handle.signal(retrySignal);
    assert.equal((await handle.result()).phase, 'succeeded');
  });
});
