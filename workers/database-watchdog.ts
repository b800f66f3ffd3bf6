/**
 * A database outage shorter than the health monitor's interval falls between two of its probes
 * (a 30-second MongoDB outage was never noticed). So each worker process pings MongoDB every few
 * seconds on its own, and after FAILURES_TO_DECLARE failed pings in a row raises the same critical
 * alert the health monitor does (`dependency-down:mongodb`, rule database_down) through the one
 * alert path: several workers, and the monitor, all feed one incident. The first good ping after
 * it clears the alert: the incident resolves with a recovery page. Pages do not need the database
 * (the alert bookkeeping is skipped while it is down; see domain/ops/alerting.ts).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AlertToRaise, RaiseOutcome } from '../contracts/ops';
import { dependencyAlertKeys } from '../domain/ops/health-rules';
import { withTimeout } from '../domain/ops/probes';
import type { Watchdog } from './temporal-watchdog';

/** A ping gets this long; a database slower than that is as good as down for the business steps. */
const PING_TIMEOUT_MS = 3000;
/** One failed ping may be a blip; two in a row (10 s at the default interval) is an outage. */
const FAILURES_TO_DECLARE = 2;
export const DATABASE_PING_INTERVAL_MS = 5000;

export function startDatabaseWatchdog(opts: {
  ping: () => Promise<unknown>;
  alerting: { raiseAlert(a: AlertToRaise): Promise<RaiseOutcome>; clearAlert(c: { dedupKey: string; note: string }): Promise<unknown> };
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  intervalMs?: number;
}): Watchdog {
  const dedupKey = dependencyAlertKeys('mongodb').down;
  const source = `${hostname()}:${process.pid}`;
  let failures = 0;
  let downSince: string | undefined;
  let raised = false;

  async function tick() {
    try {
      await withTimeout(opts.ping(), PING_TIMEOUT_MS);
    } catch (err) {
      failures++;
      downSince ??= new Date().toISOString();
      if (raised || failures < FAILURES_TO_DECLARE) return;
      const message = `MongoDB did not answer ${failures} pings in a row from worker ${source} (since ${downSince}): ${(err as Error).message}`;
      opts.log.warn({ failures }, 'MongoDB is down');
      try {
        await opts.alerting.raiseAlert({ dedupKey, rule: 'database_down', severity: 'critical', title: 'MongoDB is down', message, source: 'database-watchdog', details: { dependency: 'mongodb', status: 'down', worker: source, since: downSince } });
        raised = true;
      } catch (raiseErr) {
        opts.log.error({ err: raiseErr }, 'could not raise database_down; trying again next ping');
      }
      return;
    }
    failures = 0;
    if (!raised) {
      downSince = undefined;
      return;
    }
    try {
      await opts.alerting.clearAlert({ dedupKey, note: `MongoDB answers again (worker ${source}; down since ${downSince})` });
      opts.log.info('MongoDB answers again');
      raised = false;
      downSince = undefined;
    } catch (err) {
      opts.log.error({ err }, 'could not clear database_down; trying again next ping');
    }
  }

  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tick().finally(() => (running = false));
  }, opts.intervalMs ?? DATABASE_PING_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
