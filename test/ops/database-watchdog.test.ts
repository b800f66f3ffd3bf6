/** The worker's database watchdog: two failed pings raise once, the first good ping clears once, a failed raise is tried again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDatabaseWatchdog } from '../../workers/database-watchdog';

test('raised once per outage after two failed pings, cleared once by the first good ping; a raise that failed is tried again', async () => {
  let up = true;
  let temporalUp = true;
  const raised: string[] = [];
  const cleared: string[] = [];
  const watchdog = startDatabaseWatchdog({
    ping: async () => {
      if (!up) throw new Error('connection refused');
    },
    alerting: {
      async raiseAlert(a) {
        if (!temporalUp) throw new Error('Temporal unavailable');
        raised.push(`${a.dedupKey}/${a.rule}/${a.severity}`);
        return 'opened';
      },
      async clearAlert(c) {
        cleared.push(c.dedupKey);
      },
    },
    log: { warn() {}, error() {}, info() {} },
    intervalMs: 3_600_000,
  });
  try {
    await watchdog.tick();
    up = false;
    await watchdog.tick();
    assert.deepEqual(raised, [], 'one failed ping is a blip');
    temporalUp = false;
    await watchdog.tick();
    assert.deepEqual(raised, [], 'the raise failed…');
    temporalUp = true;
    await watchdog.tick();
    assert.deepEqual(raised, ['dependency-down:mongodb/database_down/critical'], '…and is tried again');
    await watchdog.tick();
    await watchdog.tick();
    assert.equal(raised.length, 1, 'one raise per outage');
    up = true;
    await watchdog.tick();
    await watchdog.tick();
    assert.deepEqual(cleared, ['dependency-down:mongodb']);
    up = false;
    await watchdog.tick();
    await watchdog.tick();
    assert.equal(raised.length, 2, 'a new outage raises again');
  } finally {
    watchdog.stop();
  }
});
