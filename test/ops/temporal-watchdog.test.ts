/**
 * The worker's Temporal watchdog against a real gRPC address with nothing behind it: after the
 * rule's 3 failed pings it pages the on-call once (real SMTP server, local Slack and Twilio), and
 * sends a recovery notice when pings succeed again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '@temporalio/client';
import { parseConfig } from '../../common/config';
import { DEFAULT_ONCALL_ROTATION, onCallAt } from '../../common/ops-policy';
import { freePort } from '../../infra/processes';
import { startTemporalWatchdog } from '../../workers/temporal-watchdog';
import { startPagingSinks } from '../harness/paging-sinks';

let sinks: Awaited<ReturnType<typeof startPagingSinks>>;
before(async () => {
  sinks = await startPagingSinks();
});
after(async () => {
  await sinks?.close();
});

test('Temporal unreachable: paged once after 3 failed pings, by SMS, email and Slack; recovery notice when it answers', async () => {
  const config = parseConfig(sinks.env as NodeJS.ProcessEnv);
  const deadAddress = `127.0.0.1:${await freePort()}`;
  let reachable = false;
  const ping = async () => {
    if (reachable) return;
    // A real connection attempt to an address where no Temporal listens.
    const c = await Connection.connect({ address: deadAddress, connectTimeout: 500 });
    await c.close();
  };
  const log = { warn() {}, error() {}, info() {} };
  const watchdog = startTemporalWatchdog({ config, ping, log, intervalMs: 3_600_000 });
  try {
    const to = onCallAt(DEFAULT_ONCALL_ROTATION, new Date(), 1).person;
    await watchdog.tick();
    await watchdog.tick();
    assert.equal(sinks.mailTo(to.email).length, 0, 'two failures are not enough');
    await watchdog.tick();
    const page = await sinks.smtp.waitFor((m) => m.to.includes(to.email) && m.subject.includes('Temporal is unreachable'));
    assert.match(page.subject, /^\[CRITICAL\] Incident opened: Temporal is unreachable/);
    assert.match(page.text, /3 pings in a row failed/);
    assert.ok(sinks.slack.some((s) => s.text.includes('Temporal is unreachable')));
    assert.ok(sinks.sms.some((s) => s.to === to.phone && s.body.startsWith('[CRITICAL] Incident opened: Temporal is unreachable')), 'and by SMS');
    await watchdog.tick();
    await watchdog.tick();
    assert.equal(sinks.mailTo(to.email).filter((m) => m.subject.includes('Incident opened')).length, 1, 'paged once, not per ping');

    reachable = true;
    await watchdog.tick();
    await sinks.smtp.waitFor((m) => m.to.includes(to.email) && m.subject.includes('Recovered: Temporal is unreachable'));
  } finally {
    watchdog.stop();
  }
});
