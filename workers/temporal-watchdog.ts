/**
 * "Temporal unreachable" cannot be noticed by a workflow: when Temporal is down none runs. So each
 * worker process pings it on its own; after `threshold` failed pings in a row (the
 * temporal_unreachable rule) it pages the on-call directly through the same channels as incidents,
 * once, and sends a recovery notice when Temporal answers again.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { createPager, type NotificationConfig } from '../activities/notifications/activities';
import { PROBE_TIMEOUT_MS, withTimeout } from '../domain/ops/probes';
import type { Config } from '../common/config';
import type { NotificationKind, NotificationRequest } from '../contracts/ops';

export interface Watchdog {
  stop(): void;
  /** One ping and its consequences (the interval calls this; tests call it directly). */
  tick(): Promise<void>;
}

export function startTemporalWatchdog(opts: {
  config: NotificationConfig & Pick<Config, 'ALERT_RULES' | 'ESCALATION_MATRIX'>;
  ping: () => Promise<unknown>;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  intervalMs?: number;
}): Watchdog {
  const rule = opts.config.ALERT_RULES.temporal_unreachable;
  const sendPage = createPager(opts.config);
  const source = `${hostname()}:${process.pid}`;
  let failures = 0;
  let paged: { openedAt: string; seq: number } | undefined;
  let seq = 0;
  let lastError = '';

  async function page(kind: NotificationKind) {
    const request = (channel: NotificationRequest['channel']): NotificationRequest => ({
      channel,
      kind,
      level: 1,
      incident: {
        dedupKey: 'temporal-unreachable',
        rule: 'temporal_unreachable',
        severity: rule.severity,
        title: 'Temporal is unreachable',
        message: kind === 'recovered' ? `Temporal answers again (worker ${source})` : `${failures} pings in a row failed from worker ${source}: ${lastError}`,
        status: kind === 'recovered' ? 'resolved' : 'triggered',
        alertCount: failures,
        openedAt: paged!.openedAt,
        resolvedBy: kind === 'recovered' ? 'temporal-watchdog' : undefined,
      },
      workflowId: 'temporal-watchdog',
      runId: source,
    });
    // Every channel on its own: one failing never keeps the page off the others.
    const results = await Promise.allSettled(opts.config.ESCALATION_MATRIX[rule.severity].channels.map((c) => sendPage(request(c), `temporal-watchdog.${source}.${paged!.seq}.${kind}.${c}`)));
    for (const r of results) if (r.status === 'rejected') opts.log.error({ err: r.reason }, 'temporal watchdog could not page');
  }

  async function tick() {
    try {
      await withTimeout(opts.ping(), PROBE_TIMEOUT_MS);
      failures = 0;
      if (paged) {
        opts.log.info('Temporal answers again');
        await page('recovered');
        paged = undefined;
      }
    } catch (err) {
      failures++;
      lastError = (err as Error).message;
      opts.log.warn({ failures, err: lastError }, 'Temporal ping failed');
      if (rule.enabled && !paged && failures >= rule.threshold) {
        paged = { openedAt: new Date().toISOString(), seq: ++seq };
        await page('triggered');
      }
    }
  }

  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tick().finally(() => (running = false));
  }, opts.intervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
