/**
 * Incident escalation on the time-skipping server: 15/30-minute timers and a 60-minute ack timeout
 * run in seconds. Pages go through the real notification activities to a real SMTP server and a
 * local Slack receiver; only the MongoDB bookkeeping is recorded in memory here (the e2e test runs
 * the real one).
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createNotificationActivities } from '../../activities/notifications/activities';
import { parseConfig } from '../../common/config';
import { DEFAULT_ESCALATION_MATRIX, DEFAULT_ONCALL_ROTATION, escalationDepth, onCallAt } from '../../common/ops-policy';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  acknowledgeSignal,
  acknowledgeUpdate,
  type AffectedExecution,
  alertFiredSignal,
  attachExecutionUpdate,
  executionRecoveredSignal,
  type IncidentInput,
  incidentLifecycleWorkflow,
  incidentQuery,
  type IncidentState,
  joinIncidentUpdate,
  resolveSignal,
} from '../../contracts/ops';
import { startPagingSinks } from '../harness/paging-sinks';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

const MINUTE = 60_000;
let env: TestWorkflowEnvironment;
let sinks: Awaited<ReturnType<typeof startPagingSinks>>;
const saved: { workflowId: string; state: IncidentState }[] = [];
const notifications: { outcome: string; channel: string; kind: string; level: number }[] = [];

// A fresh server per test: each test's clock starts at its own incident, whatever ran before.
before(async () => {
  sinks = await startPagingSinks();
});
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});
after(async () => {
  await sinks?.close();
});

// Who is on call is decided when the page is sent (real clock): the test asks the same rotation.
const primary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
const secondary = () => onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 2).person;

function activities() {
  const config = parseConfig(sinks.env as NodeJS.ProcessEnv);
  return {
    ...createNotificationActivities(config),
    async saveIncident(input: { workflowId: string; state: IncidentState }) {
      saved.push({ workflowId: input.workflowId, state: input.state });
    },
    async recordIncidentNotification(input: { outcome: string; request: { channel: string; kind: string; level: number } }) {
      notifications.push({ outcome: input.outcome, channel: input.request.channel, kind: input.request.kind, level: input.request.level });
    },
  };
}

const input = (key: string, severity: 'critical' | 'medium' = 'critical'): IncidentInput => ({
  alert: { dedupKey: key, rule: 'webhook_error_rate', severity, title: 'High Webhook Error Rate Detected', message: 'Webhook error rate is 18.5% (threshold: 15.0%)', source: 'metrics', firedAt: new Date().toISOString() },
  escalation: DEFAULT_ESCALATION_MATRIX[severity],
  levels: escalationDepth(DEFAULT_ONCALL_ROTATION),
  ackTimeoutMinutes: 60,
});

/** A page names its incident's workflow id (raw in the tctl line, URL-encoded in the execution link). */
const mentions = (text: string, key: string) => text.includes(`incident-${key}`) || text.includes(encodeURIComponent(`incident-${key}`));

/**
 * Distinct pages (by Message-ID) of an incident to one address. Email is at-least-once: an attempt
 * retried after a timeout resends under the same Message-ID, which receivers collapse.
 */
const pagesFor = (key: string, to: string, headline?: string) => {
  const mails = sinks.mailTo(to).filter((m) => mentions(m.text, key) && (!headline || m.subject.includes(headline)));
  return [...new Map(mails.map((m) => [m.messageId, m])).values()];
};

async function startIncident(key: string, severity: 'critical' | 'medium' = 'critical') {
  const handle = await env.client.workflow.start(incidentLifecycleWorkflow.type, { taskQueue: 'ops', workflowId: `incident-${key}`, args: [input(key, severity)] });
  await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.to.includes(primary().email));
  return handle;
}

test('an unacknowledged critical reminds the primary at 15 min and pages level 2 at 30 min, by SMS, email and Slack', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'ts-escalates';
    const smsBefore = sinks.sms.length;
    const texts = () => sinks.sms.slice(smsBefore).map((m) => [m.to, m.body.slice(0, m.body.indexOf(':'))]);
    const handle = await startIncident(key);
    assert.equal(pagesFor(key, primary().email, 'Incident opened').length, 1);
    assert.ok(sinks.slack.some((s) => s.text.includes(primary().name) && s.text.includes('Incident opened')), 'Slack page mentions the primary');

    await env.sleep(14 * MINUTE);
    assert.equal(pagesFor(key, primary().email, 'Not acknowledged').length, 0, 'no reminder before 15 min');
    await env.sleep(2 * MINUTE);
    await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.subject.includes('Not acknowledged'));

    await env.sleep(12 * MINUTE); // 28 min
    let state = await handle.query(incidentQuery);
    assert.equal(state.level, 1, 'still level 1 at 28 min');
    assert.equal(pagesFor(key, secondary().email).length, 0, 'level 2 not paged before 30 min');

    await env.sleep(3 * MINUTE); // 31 min
    const page = await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.to.includes(secondary().email));
    assert.match(page.subject, /^\[CRITICAL\] Escalated to you/);
    assert.match(page.text, /tctl workflow signal --workflow_id incident-ts-escalates --name acknowledge/);
    state = await handle.query(incidentQuery);
    assert.equal(state.level, 2);
    assert.equal(state.status, 'triggered');
    assert.ok(state.timeline.some((t) => t.kind === 'escalated' && t.detail?.includes('level 2')));
    await waitUntil(() => sinks.slack.some((s) => s.text.includes(secondary().name) && s.text.includes('Escalated')));
    await waitUntil(() => texts().length >= 3);
    assert.deepEqual(
      texts(),
      [
        [primary().phone, '[CRITICAL] Incident opened'],
        [primary().phone, '[CRITICAL] Not acknowledged yet'],
        [secondary().phone, '[CRITICAL] Escalated to you'],
      ],
      'one SMS per page: opened and reminded at level 1, escalated at level 2',
    );

    // Repeats of the rule while open are counted, never paged again.
    const mailsBefore = sinks.smtp.messages.length;
    await handle.signal(alertFiredSignal, { ...input(key).alert, message: 'Webhook error rate is 22.0%', firedAt: new Date().toISOString() });
    state = await handle.query(incidentQuery);
    assert.equal(state.alertCount, 2);
    assert.equal(state.message, 'Webhook error rate is 22.0%');
    assert.equal(sinks.smtp.messages.length, mailsBefore);

    await handle.signal(resolveSignal, { by: 'rule-engine', auto: true });
    const final = await handle.result();
    assert.equal(final.status, 'resolved');
    assert.equal(final.resolution, 'auto');
    // Both levels paged so far hear that it recovered.
    assert.equal(pagesFor(key, primary().email, 'Recovered').length, 1);
    assert.equal(pagesFor(key, secondary().email, 'Recovered').length, 1);
    assert.equal(saved.filter((s) => s.workflowId === `incident-${key}`).at(-1)?.state.status, 'resolved', 'the projection ends resolved');
  });
});

test('an acknowledged incident does not escalate; the API update refuses a resolved one', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'ts-acked';
    const handle = await startIncident(key);
    await env.sleep(5 * MINUTE);
    const acked = await handle.executeUpdate(acknowledgeUpdate, { args: [{ by: 'ana@ops', note: 'looking' }] });
    assert.equal(acked.status, 'acknowledged');
    assert.equal(acked.acknowledgedBy, 'ana@ops');

    await env.sleep(50 * MINUTE); // past 15 and 30 min, inside the 60-min ack timeout
    const state = await handle.query(incidentQuery);
    assert.equal(state.status, 'acknowledged');
    assert.equal(state.level, 1);
    assert.equal(pagesFor(key, secondary().email).length, 0, 'nobody else was paged');
    assert.equal(pagesFor(key, primary().email, 'Not acknowledged').length, 0, 'no reminder either');

    await handle.signal(resolveSignal, { by: 'ana@ops', note: 'fixed the signature secret' });
    const final = await handle.result();
    assert.equal(final.resolution, 'manual');
    assert.equal(pagesFor(key, primary().email, 'Resolved').length, 1);
    await assert.rejects(handle.executeUpdate(acknowledgeUpdate, { args: [{ by: 'late' }] }), (err) => err instanceof Error);
  });
});

test('acknowledged but not resolved within the ack timeout: re-triggered, the on-call is paged again and escalation resumes', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'ts-ack-timeout';
    const handle = await startIncident(key);
    await env.sleep(2 * MINUTE);
    await handle.signal(acknowledgeSignal, { by: 'ana@ops' });
    await env.sleep(59 * MINUTE); // 61 min from start, 59 since the ack
    assert.equal((await handle.query(incidentQuery)).status, 'acknowledged');
    await env.sleep(3 * MINUTE); // 62 min since the ack
    await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.subject.includes('re-triggered'));
    const state = await handle.query(incidentQuery);
    assert.equal(state.status, 'triggered');
    assert.equal(state.acknowledgedBy, undefined);
    assert.ok(state.timeline.some((t) => t.kind === 'retriggered'));

    // Not acknowledged again: the next level is paged one escalation interval later.
    await env.sleep(31 * MINUTE);
    await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.to.includes(secondary().email));
    await handle.signal(resolveSignal, { by: 'bruno@ops' });
    await handle.result();
  });
});

test('a failing channel never holds back the others: Slack down, the email page still goes out and the failure is recorded', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'ts-slack-down';
    sinks.failSlack(-1, 500);
    try {
      const handle = await env.client.workflow.start(incidentLifecycleWorkflow.type, { taskQueue: 'ops', workflowId: `incident-${key}`, args: [input(key)] });
      await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`));
      // Slack's retries run out (~2.5 min of backoff, skipped here) and the failure is recorded.
      await waitUntil(async () => (await env.sleep(MINUTE), (await handle.query(incidentQuery)).notificationsFailed === 1));
      const state = await handle.query(incidentQuery);
      assert.equal(state.notificationsSent, 2, 'SMS and email');
      assert.ok(state.timeline.some((t) => t.kind === 'notify_failed' && t.detail?.includes('slack')));
      assert.ok(notifications.some((n) => n.outcome === 'failed' && n.channel === 'slack'));
      await handle.signal(resolveSignal, { by: 'ops' });
    } finally {
      sinks.healSlack();
    }
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('grouping: 20 failed executions of one step are one incident (one page per channel, a count and the list), and it recovers with one page when the last one does', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'webhook-failed:mercadopago:ts-group';
    const member = (i: number): AffectedExecution => ({ key: `webhook-failed:ev-${i}`, workflowId: `webhook-mercadopago-ev-${i}`, at: new Date().toISOString(), summary: `ev-${i} failed at upsertCrmContact` });
    const firing = (i: number) => ({ dedupKey: key, rule: 'webhook_processing_failed', severity: 'high' as const, title: 'MercadoPago webhooks failing at upsertCrmContact', message: `ev-${i} failed`, source: `webhook-mercadopago-ev-${i}`, firedAt: new Date().toISOString(), member: member(i), resolvesWithMembers: true });
    const handle = await env.client.workflow.start(incidentLifecycleWorkflow.type, {
      taskQueue: 'ops',
      workflowId: `incident-${key}`,
      args: [{ alert: firing(1), escalation: DEFAULT_ESCALATION_MATRIX.high, levels: escalationDepth(DEFAULT_ONCALL_ROTATION), ackTimeoutMinutes: 60 }],
    });
    await sinks.smtp.waitFor((m) => m.text.includes(`incident-${key}`) && m.to.includes(primary().email));
    // The other 19 fail over the next 40 minutes (within the group's life, before its reminder).
    for (let i = 2; i <= 20; i++) {
      await handle.executeUpdate(joinIncidentUpdate, { args: [firing(i)] });
      if (i % 5 === 0) await env.sleep('10 minutes');
    }
    // The same execution failing again is still one affected execution.
    await handle.executeUpdate(joinIncidentUpdate, { args: [firing(7)] });
    const open = await handle.query(incidentQuery);
    assert.equal(open.alertCount, 21);
    assert.deepEqual([open.affected?.total, open.affected?.open, open.affected?.listed.length], [20, 20, 20]);
    assert.equal(pagesFor(key, primary().email, 'Incident opened').length, 1, 'one page by email');
    assert.equal(sinks.slack.filter((m) => m.text.includes(`incident-${key}`) && m.text.includes('Incident opened')).length, 1, 'one page on Slack');
    assert.match(pagesFor(key, primary().email, 'Incident opened')[0].text, /Affected executions: 1 \(1 not recovered\)\n {2}- webhook-mercadopago-ev-1: http/);

    for (let i = 1; i <= 19; i++) await handle.signal(executionRecoveredSignal, { key: `webhook-failed:ev-${i}`, at: new Date().toISOString() });
    assert.equal((await handle.query(incidentQuery)).status, 'triggered', 'one still failed: still open');
    await handle.signal(executionRecoveredSignal, { key: 'webhook-failed:ev-20', at: new Date().toISOString() });
    const done = await handle.result();
    assert.equal(done.status, 'resolved');
    assert.equal(done.resolution, 'auto');
    assert.equal(done.affected?.open, 0);
    assert.ok(done.affected?.listed.every((x: AffectedExecution) => x.recoveredAt));
    const recovery = await sinks.smtp.waitFor((m) => mentions(m.text, key) && m.subject.includes('Recovered'));
    assert.match(recovery.text, /Affected executions: 20 \(0 not recovered\)/);
    assert.equal(pagesFor(key, primary().email, 'Recovered').length, 1, 'one recovery page');
    assert.ok(saved.some((s) => s.workflowId === `incident-${key}` && s.state.affected?.total === 20));
  });
});

test('a resolved incident refuses joins and attachments (the caller opens a new one); an open dependency incident lists the executions it explains without paging', async () => {
  await runWithWorkers(env, 'ops', activities(), async () => {
    const key = 'dependency-down:ts-gohighlevel';
    const handle = await startIncident(key);
    const m: AffectedExecution = { key: 'webhook-failed:ev-x', workflowId: 'webhook-mercadopago-ev-x', at: new Date().toISOString(), summary: 'ev-x failed at tagCrmContact' };
    assert.deepEqual(await handle.executeUpdate(attachExecutionUpdate, { args: [m] }), { total: 1 });
    assert.deepEqual(await handle.executeUpdate(attachExecutionUpdate, { args: [m] }), { total: 1 }, 'the same execution once');
    const state = await handle.query(incidentQuery);
    assert.equal(state.alertCount, 1, 'an attached execution is not a firing of the rule');
    assert.equal(state.status, 'triggered');
    assert.equal(pagesFor(key, primary().email).length, 1, 'attaching pages nobody');
    // Its executions recovering does not resolve a dependency's incident: only the dependency's recovery does.
    await handle.signal(executionRecoveredSignal, { key: m.key, at: new Date().toISOString() });
    assert.equal((await handle.query(incidentQuery)).status, 'triggered');
    await handle.signal(resolveSignal, { by: 'rule-engine', auto: true });
    await assert.rejects(handle.executeUpdate(attachExecutionUpdate, { args: [m] }), (e: Error) => e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError);
    await handle.result();
  });
});
