/**
 * The weekly digest's pure parts: ISO weeks in the business time zone, who gets it, what it says
 * (and says when there is nothing), the config that schedules it, and the pager never sending a
 * `digest` page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPager } from '../../activities/notifications/activities';
import { ConfigError, parseConfig } from '../../common/config';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { productSchedules, OPS_SCHEDULE_IDS } from '../../workers/schedules';
import { digestPeriod, digestRecipients, isoWeek, renderWeeklyDigest, type DigestRow } from '../../domain/ops/weekly-digest';

test('ISO weeks, in the business time zone', () => {
  const utc = (iso: string) => isoWeek(new Date(iso), 'UTC');
  assert.equal(utc('2026-01-01T12:00:00Z'), '2026-W01', 'a Thursday: week 1 of its year');
  assert.equal(utc('2027-01-01T12:00:00Z'), '2026-W53', 'a Friday: the last week of the year before');
  assert.equal(utc('2024-12-30T12:00:00Z'), '2025-W01', 'a Monday in December can open the next ISO year');
  assert.equal(utc('2026-02-16T00:00:00Z'), '2026-W08', 'Monday starts the week');
  assert.equal(utc('2026-02-15T23:59:59Z'), '2026-W07', 'Sunday ends it');
  // Monday 01:00 UTC is still Sunday 22:00 in Buenos Aires: the previous week there.
  assert.equal(isoWeek(new Date('2026-02-16T01:00:00Z'), 'America/Argentina/Buenos_Aires'), '2026-W07');
  const p = digestPeriod(new Date('2026-02-16T12:00:00Z'), 'America/Argentina/Buenos_Aires');
  assert.deepEqual(p, { week: '2026-W08', from: '2026-02-09T12:00:00.000Z', to: '2026-02-16T12:00:00.000Z' });
});

test('recipients: the primary on-call at the run, plus DIGEST_EMAIL, each once', () => {
  const at = new Date('2026-02-16T12:00:00Z');
  const primary = onCallAt(DEFAULT_ONCALL_ROTATION, at, 1).person.email;
  const config = parseConfig({ DIGEST_EMAIL: `noc@example.com, ${primary.toUpperCase()}` } as NodeJS.ProcessEnv);
  assert.deepEqual(digestRecipients(config, at), [primary, 'noc@example.com']);
  assert.deepEqual(digestRecipients(parseConfig({}), at), [primary]);
});

const row = (over: Partial<DigestRow>): DigestRow => ({
  dedupKey: 'k',
  title: 'Disk <almost> full',
  rule: 'disk_usage',
  status: 'triggered',
  alertCount: 1,
  openedAt: '2026-02-10T10:00:00.000Z',
  execution: 'http://ui/namespaces/default/workflows/incident-k/run/history',
  ...over,
});

test('the digest lists each incident with status, alerts, opened/resolved and its execution; an empty week says so', () => {
  const period = { week: '2026-W08', from: '2026-02-09T12:00:00.000Z', to: '2026-02-16T12:00:00.000Z' };
  const mail = renderWeeklyDigest({
    period,
    to: ['a@example.com', 'b@example.com'],
    apiUrl: 'http://api',
    timeZone: 'UTC',
    rows: [
      row({ dedupKey: 'old-open', openedAt: '2026-02-01T10:00:00.000Z', alertCount: 4 }),
      row({ dedupKey: 'acked', status: 'acknowledged', acknowledgedBy: 'ana' }),
      row({ dedupKey: 'done', status: 'resolved', resolvedAt: '2026-02-11T10:00:00.000Z', resolvedBy: 'bruno' }),
    ],
  });
  assert.equal(mail.to, 'a@example.com, b@example.com');
  assert.equal(mail.subject, '[LOW] Weekly digest 2026-W08: 3 low-severity incidents (2 still open)');
  assert.match(mail.text, /Incidents: 3 {3}Opened this week: 2 {3}Resolved this week: 1 {3}Still open: 2 {3}Alerts: 6/);
  assert.match(mail.text, /- Disk <almost> full \[open \(not acknowledged\)\]\n {2}Rule: disk_usage {3}Key: old-open {3}Alerts: 4/);
  assert.match(mail.text, /Key: acked[^]*Acknowledged by ana/);
  assert.match(mail.text, /Key: done[^]*Resolved: 2026-02-11T10:00:00.000Z by bruno/);
  assert.match(mail.text, /Execution: http:\/\/ui\/namespaces\/default\/workflows\/incident-k\/run\/history/);
  assert.ok(mail.html.includes('Disk &lt;almost&gt; full') && !mail.html.includes('<almost>'), 'HTML is escaped');
  assert.equal((mail.html.match(/<a href="http:\/\/ui\//g) ?? []).length, 3);

  const empty = renderWeeklyDigest({ period, to: ['a@example.com'], apiUrl: 'http://api', timeZone: 'UTC', rows: [] });
  assert.equal(empty.subject, '[LOW] Weekly digest 2026-W08: nothing low this week');
  assert.match(empty.text, /Nothing low this week/);
});

test('DIGEST_CRON: Monday 09:00 in SCHEDULE_TIMEZONE by default; a bad one is refused naming it; DIGEST_EMAIL must be emails', () => {
  const schedule = productSchedules(parseConfig({})).find((s) => s.scheduleId === OPS_SCHEDULE_IDS.weeklyDigest)!;
  assert.deepEqual(schedule.spec, { cronExpressions: ['0 9 * * 1'], timezone: 'America/Argentina/Buenos_Aires' });
  assert.equal((schedule.action as { workflowType: string }).workflowType, 'weeklyDigest');
  assert.equal(schedule.policies?.catchupWindow, '1 day');
  const custom = productSchedules(parseConfig({ DIGEST_CRON: '30 8 * * FRI', SCHEDULE_TIMEZONE: 'UTC' } as NodeJS.ProcessEnv)).find((s) => s.scheduleId === OPS_SCHEDULE_IDS.weeklyDigest)!;
  assert.deepEqual(custom.spec, { cronExpressions: ['30 8 * * FRI'], timezone: 'UTC' });
  for (const [key, value] of [['DIGEST_CRON', 'every monday'], ['DIGEST_CRON', '0 9 * * 1 *'], ['DIGEST_CRON', '0 9 * * $(reboot)'], ['DIGEST_EMAIL', 'noc@example.com, not-an-email']]) {
    assert.throws(
      () => parseConfig({ [key]: value } as NodeJS.ProcessEnv),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0].startsWith(key),
      `${key}=${value}`,
    );
  }
});

test('the pager never sends a digest "page": a no-op answering recipient "weekly digest"', async () => {
  // Every real channel would fail here (nothing listens on port 9): only a no-op can answer.
  const config = parseConfig({ SMTP_URL: 'smtp://127.0.0.1:9', SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack', ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } as NodeJS.ProcessEnv);
  const sendPage = createPager(config);
  const incident = { dedupKey: 'low-1', rule: 'disk_usage', severity: 'low' as const, title: 'Disk', message: 'm', status: 'triggered' as const, alertCount: 1, openedAt: new Date().toISOString() };
  assert.deepEqual(await sendPage({ channel: 'digest', kind: 'triggered', level: 1, incident, workflowId: 'incident-low-1', runId: 'r' }, 'page-1'), { recipient: 'weekly digest', channel: 'digest' });
  await assert.rejects(sendPage({ channel: 'email', kind: 'triggered', level: 1, incident, workflowId: 'incident-low-1', runId: 'r' }, 'page-2'), 'the email channel does try to send');
});
