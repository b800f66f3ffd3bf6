/**
 * The weekly digest workflow on the time-skipping server, with its real activities against real
 * FerretDB and a real SMTP server behind a TCP relay that can refuse connections: the mail's
 * retry schedule (1, 5, 15 minutes) runs in seconds. A flaky mail server delays the digest but
 * sends it once; a second run for the same week sends nothing; a mail server down past every
 * retry fails the run and frees the week, and a re-run then sends it.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDigestEmailActivities } from '../../activities/email/weekly-digest';
import { createWeeklyDigestStoreActivities } from '../../activities/mongodb/ops';
import { parseConfig } from '../../common/config';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { weeklyDigestWorkflow, type WeeklyDigestResult } from '../../contracts/ops';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { Incident } from '../../domain/persistence/models/incident';
import { WeeklyDigest } from '../../domain/persistence/models/weekly-digest';
import { freePort } from '../../infra/processes';
import { startSmtpSink, type SmtpSink } from '../../sandbox/smtp-sink';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

const MINUTE = 60_000;
const DAY = 86_400_000;
let servers: IntegrationServers;
let smtp: SmtpSink;
let relay: net.Server;
let relayPort = 0;
/** Connections the relay drops before passing any on (Infinity: the mail server is down). */
let refuse = 0;
let connections = 0;
let env: TestWorkflowEnvironment;

before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('digest') });
  smtp = await startSmtpSink({ port: await freePort() });
  relayPort = await freePort();
  relay = net.createServer((socket) => {
    connections++;
    if (refuse > 0) {
      refuse--;
      socket.destroy();
      return;
    }
    const upstream = net.connect(smtp.port, '127.0.0.1');
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', () => r()));
});
after(async () => {
  await new Promise((r) => relay?.close(r));
  await smtp?.close();
  await disconnectMongo();
  await servers?.stop();
});
// A fresh server per test: each test's clock is its own.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
  refuse = 0;
  connections = 0;
});
afterEach(async () => {
  await env?.teardown();
});

const config = () => parseConfig({ SMTP_URL: `smtp://127.0.0.1:${relayPort}`, DIGEST_EMAIL: 'noc-digest@example.com', TEMPORAL_UI_URL: 'http://ui.test', TEMPORAL_NAMESPACE: 'digest-ns' } as NodeJS.ProcessEnv);
const activities = () => ({ ...createWeeklyDigestStoreActivities(config()), ...createDigestEmailActivities(config()) });
let runs = 0;
const runDigest = (at: string) => env.client.workflow.execute(weeklyDigestWorkflow.type, { taskQueue: 'ops', workflowId: `weekly-digest-ts-${++runs}`, args: [{ at }] }) as Promise<WeeklyDigestResult>;

/** The send activity in the run's history: its last attempt, and how long after it was scheduled that attempt started. */
async function sendInHistory(workflowId: string) {
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const ms = (t: any) => Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  const scheduled = events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendWeeklyDigest')!;
  const started = events!.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId!.toString())!;
  const failed = events!.some((e) => e.activityTaskFailedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId!.toString());
  return { attempt: started.activityTaskStartedEventAttributes!.attempt!, waitedMs: ms(started.eventTime) - ms(scheduled.eventTime), outcome: failed ? 'failed' : 'completed' };
}

function incident(key: string, over: Record<string, unknown>) {
  const openedAt = (over.openedAt as Date) ?? new Date();
  return {
    _id: `${key}@${openedAt.toISOString()}`,
    dedupKey: key,
    workflowId: `incident-${key}`,
    runId: `run-${key}`,
    rule: 'disk_usage',
    severity: 'low',
    title: `Low ${key}`,
    message: 'm',
    status: 'triggered',
    level: 1,
    alertCount: 2,
    openedAt,
    updatedAt: new Date(),
    ...over,
  };
}

test('a flaky mail server delays the digest by its retries but it is sent once; a second run for the week sends nothing', async () => {
  const at = new Date();
  const ago = (days: number) => new Date(at.getTime() - days * DAY);
  await Incident.collection.insertMany([
    incident('ts-open', { openedAt: ago(2) }),
    incident('ts-older-open', { openedAt: ago(20), status: 'acknowledged', acknowledgedBy: 'ana' }),
    incident('ts-resolved', { openedAt: ago(3), status: 'resolved', resolvedAt: ago(1), resolvedBy: 'bruno' }),
    incident('ts-resolved-long-ago', { openedAt: ago(12), status: 'resolved', resolvedAt: ago(9) }),
    incident('ts-medium', { openedAt: ago(1), severity: 'medium' }),
  ] as never[]);
  refuse = 2; // the first try and the retry a minute later are refused; the one 5 minutes later gets through
  await runWithWorkers(env, 'ops', activities(), async () => {
    const result = await runDigest(at.toISOString());
    assert.equal(result.sent, true);
    assert.match(result.week, /^\d{4}-W\d{2}$/);
    const send = await sendInHistory(`weekly-digest-ts-${runs}`);
    assert.equal(send.attempt, 3);
    assert.ok(send.waitedMs >= 6 * MINUTE && send.waitedMs < 15 * MINUTE, `sent ${send.waitedMs / MINUTE} min after it was first tried: after the 1- and 5-minute retries`);
    assert.equal(connections, 3);
    assert.deepEqual(result.counts, { incidents: 3, opened: 2, resolved: 1, open: 2, alerts: 6 });
    const primary = onCallAt(DEFAULT_ONCALL_ROTATION, at, 1).person.email;
    assert.deepEqual(result.recipients, [primary, 'noc-digest@example.com']);

    const mails = smtp.messages.filter((m) => m.messageId === result.messageId);
    assert.equal(mails.length, 1);
    assert.equal(result.messageId, `<weekly-digest.${result.week}.digest-ns@pagosflow>`);
    const mail = mails[0];
    assert.deepEqual(mail.to.sort(), [primary, 'noc-digest@example.com'].sort());
    assert.match(mail.subject, /^\[LOW\] Weekly digest \d{4}-W\d{2}: 3 low-severity incidents \(2 still open\)$/);
    for (const key of ['ts-open', 'ts-older-open', 'ts-resolved']) assert.ok(mail.text.includes(`Execution: http://ui.test/namespaces/digest-ns/workflows/incident-${key}/run-${key}/history`), key);
    assert.ok(!mail.text.includes('ts-medium') && !mail.text.includes('ts-resolved-long-ago'), 'only low incidents open during the week');
    const stored = await WeeklyDigest.findById(result.week).lean<any>();
    assert.equal(stored.status, 'sent');
    assert.equal(stored.owner, 'weekly-digest-ts-1');
    assert.equal(stored.messageId, result.messageId);

    // The Schedule's next run in the same week (or a manual one): nothing sent again.
    const again = await runDigest(new Date(at.getTime() + 2 * 3_600_000).toISOString());
    assert.equal(again.week, result.week);
    assert.equal(again.sent, false);
    assert.match(again.skipped!, /was sent already \(weekly-digest-ts-1\)/);
    assert.equal(smtp.messages.filter((m) => m.subject.includes(`Weekly digest ${result.week}`)).length, 1);
    assert.equal(connections, 3);
  });
});

test('the mail server down past every retry: the run fails after ~21 minutes and frees the week; a re-run sends "nothing low this week"', async () => {
  const at = '2020-03-02T12:00:00.000Z'; // a Monday before any incident here
  refuse = Infinity;
  await runWithWorkers(env, 'ops', activities(), async () => {
    await assert.rejects(runDigest(at), /Workflow execution failed/);
    const send = await sendInHistory(`weekly-digest-ts-${runs}`);
    assert.equal(send.attempt, 4, 'the first try and three retries');
    assert.ok(send.waitedMs >= 21 * MINUTE, `gave up ${send.waitedMs / MINUTE} min after the first try: 1 + 5 + 15`);
    assert.equal(send.outcome, 'failed');
    assert.equal(connections, 4);
    assert.equal(await WeeklyDigest.findById('2020-W10').lean(), null, 'the week was released');

    refuse = 0;
    const rerun = await runDigest(at);
    assert.equal(rerun.sent, true);
    assert.equal(rerun.week, '2020-W10');
    assert.deepEqual(rerun.counts, { incidents: 0, opened: 0, resolved: 0, open: 0, alerts: 0 });
    const mail = await smtp.waitFor((m) => m.messageId === rerun.messageId);
    assert.equal(mail.subject, '[LOW] Weekly digest 2020-W10: nothing low this week');
    assert.match(mail.text, /Nothing low this week/);
  });
});
