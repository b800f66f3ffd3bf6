import { condition, continueAsNew, log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo, ApplicationFailure } from '@temporalio/workflow';
import type { createIncidentActivities } from '../../activities/mongodb/ops';
import type { createNotificationActivities } from '../../activities/notifications/activities';
import { IncidentKey } from '../../contracts/search-attributes';
import { retriedUntilDone, pageOnOneChannel } from '../retry-policies';
import {
  acknowledgeSignal,
  acknowledgeUpdate,
  AFFECTED_LISTED,
  alertFiredSignal,
  attachExecutionUpdate,
  executionRecoveredSignal,
  joinIncidentUpdate,
  incidentQuery,
  type AffectedExecution,
  type AlertFiring,
  resolveSignal,
  resolveUpdate,
  type IncidentAction,
  type IncidentInput,
  type IncidentState,
  type NotificationKind,
  type TimelineEntry,
} from '../../contracts/ops';

const notifications = proxyActivities<ReturnType<typeof createNotificationActivities>>(pageOnOneChannel);
const store = proxyActivities<ReturnType<typeof createIncidentActivities>>(retriedUntilDone);

const MINUTE = 60_000;
const TIMELINE_LIMIT = 200;
/** After the last on-call level, page it again this many times (one escalation interval apart), then wait. */
const LAST_LEVEL_REPEATS = 3;
/** Affected executions named in a page's text. */
const PAGE_LISTS = 5;

/**
 * One incident per dedup key (workflow id `incident-<dedupKey>`), from the first page to its
 * resolution. Escalation is a set of durable timers (seed 003 §11.5): unacknowledged after
 * `respondMinutes` the people paged are reminded, after `escalateMinutes` the next on-call level is
 * paged, and so on. Acknowledging stops escalation; acknowledged but unresolved after the ack
 * timeout, it re-triggers. Repeated firings of the rule are counted, never paged again. Each
 * channel is its own activity, so a failing channel never holds back the others or the timers.
 */
export async function incidentLifecycle(input: IncidentInput): Promise<IncidentState> {
  const { alert, escalation, levels, ackTimeoutMinutes } = input;
  const now = () => new Date(Date.now()).toISOString();
  const state: IncidentState = input.carried ?? {
    dedupKey: alert.dedupKey,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    source: alert.source,
    details: alert.details,
    status: 'triggered',
    level: 1,
    alertCount: 1,
    openedAt: alert.firedAt,
    lastAlertAt: alert.firedAt,
    notificationsSent: 0,
    notificationsFailed: 0,
    timeline: [{ at: now(), kind: 'opened', detail: alert.message }],
    ...(alert.member ? { affected: { total: 0, open: 0, listed: [], openKeys: [] }, resolvesWithMembers: alert.resolvesWithMembers } : {}),
  };
  const { workflowId, runId } = workflowInfo();
  let changes = 0;
  const note = (kind: TimelineEntry['kind'], detail?: string) => {
    state.timeline.push({ at: now(), kind, detail });
    if (state.timeline.length > TIMELINE_LIMIT) state.timeline.splice(0, state.timeline.length - TIMELINE_LIMIT);
  };

  // Bookkeeping lane: projection writes in order, never in the way of a page (the database may be
  // the very thing that is down).
  let projection: Promise<void> = Promise.resolve();
  const saveProjection = () => {
    const snapshot = JSON.parse(JSON.stringify(state)) as IncidentState; // no structuredClone in the workflow sandbox
    projection = projection.then(() => store.saveIncident({ workflowId, runId, state: snapshot }));
  };

  const pages: Promise<void>[] = [];
  const page = (kind: NotificationKind, level: number) => {
    for (const channel of escalation.channels) {
      const request = {
        channel,
        kind,
        level,
        incident: {
          dedupKey: state.dedupKey,
          rule: state.rule,
          severity: state.severity,
          title: state.title,
          message: state.message,
          status: state.status,
          alertCount: state.alertCount,
          openedAt: state.openedAt,
          acknowledgedBy: state.acknowledgedBy,
          resolvedBy: state.resolvedBy,
          // Pages name a few affected executions; the API lists them all (up to AFFECTED_LISTED).
          ...(state.affected ? { affected: { total: state.affected.total, open: state.affected.open, listed: state.affected.listed.slice(0, PAGE_LISTS) } } : {}),
        },
        workflowId,
        runId,
      };
      pages.push(
        notifications.sendIncidentNotification(request).then(
          (sent) => {
            state.notificationsSent++;
            note('notified', `${kind} → level ${level} ${sent.recipient} by ${channel}`);
            projection = projection.then(() => store.recordIncidentNotification({ workflowId, runId, request, outcome: 'sent', recipient: sent.recipient, at: now() }));
          },
          (err: Error) => {
            state.notificationsFailed++;
            note('notify_failed', `${kind} → level ${level} by ${channel}: ${err.cause instanceof Error ? err.cause.message : err.message}`);
            projection = projection.then(() => store.recordIncidentNotification({ workflowId, runId, request, outcome: 'failed', error: String(err.cause instanceof Error ? err.cause.message : err.message), at: now() }));
          },
        ),
      );
    }
  };

  const acknowledge = (a: IncidentAction) => {
    if (state.status !== 'triggered') return;
    state.status = 'acknowledged';
    state.acknowledgedAt = now();
    state.acknowledgedBy = a.by;
    note('acknowledged', `${a.by}${a.note ? `: ${a.note}` : ''}`);
    changes++;
    saveProjection();
  };
  const resolve = (a: IncidentAction & { auto?: boolean }) => {
    if (state.status === 'resolved') return;
    state.status = 'resolved';
    state.resolvedAt = now();
    state.resolvedBy = a.by;
    state.resolution = a.auto ? 'auto' : 'manual';
    note('resolved', `${a.by}${a.auto ? ' (recovered)' : ''}${a.note ? `: ${a.note}` : ''}`);
    changes++;
  };
  const refuseIfResolved = (_a: unknown) => {
    if (state.status === 'resolved') throw ApplicationFailure.create({ type: 'IncidentResolved', message: `incident ${state.dedupKey} is already resolved`, nonRetryable: true });
  };

  // Grouping: each execution whose failure this incident stands for is counted once and listed
  // (up to AFFECTED_LISTED); a grouped incident resolves itself when the last one has recovered.
  const addAffected = (m: AffectedExecution): boolean => {
    const affected = (state.affected ??= { total: 0, open: 0, listed: [], openKeys: [] });
    if (affected.openKeys.includes(m.key)) return false;
    const listed = affected.listed.find((x) => x.key === m.key);
    if (listed) delete listed.recoveredAt; // failed again after recovering
    else {
      affected.total++;
      if (affected.listed.length < AFFECTED_LISTED) affected.listed.push({ ...m });
    }
    affected.openKeys.push(m.key);
    affected.open = affected.openKeys.length;
    return true;
  };
  const recovered = (r: { key: string; at: string }) => {
    const affected = state.affected;
    if (!affected || !affected.openKeys.includes(r.key)) return;
    affected.openKeys = affected.openKeys.filter((k) => k !== r.key);
    affected.open = affected.openKeys.length;
    const listed = affected.listed.find((x) => x.key === r.key);
    if (listed) listed.recoveredAt = r.at;
    if (state.status !== 'resolved' && state.resolvesWithMembers && affected.open === 0) {
      resolve({ by: 'system', auto: true, note: `all ${affected.total} affected executions recovered` });
    }
    saveProjection();
  };

  setHandler(incidentQuery, () => state);
  const alertFired = (a: AlertFiring) => {
    if (state.status === 'resolved') return;
    state.alertCount++;
    state.lastAlertAt = a.firedAt;
    state.message = a.message;
    state.details = a.details;
    if (a.member) addAffected(a.member);
    note('alert', a.message);
    saveProjection();
  };
  setHandler(alertFiredSignal, alertFired);
  setHandler(joinIncidentUpdate, (a) => (alertFired(a), { alertCount: state.alertCount }), { validator: refuseIfResolved });
  setHandler(
    attachExecutionUpdate,
    (m) => {
      if (addAffected(m)) {
        state.lastAlertAt = m.at;
        note('alert', `explains: ${m.summary}`);
        saveProjection();
      }
      return { total: state.affected!.total };
    },
    { validator: refuseIfResolved },
  );
  setHandler(executionRecoveredSignal, recovered);
  setHandler(acknowledgeSignal, acknowledge);
  setHandler(resolveSignal, resolve);
  setHandler(acknowledgeUpdate, (a) => (acknowledge(a), state), { validator: refuseIfResolved });
  setHandler(resolveUpdate, (a) => (resolve(a), state), { validator: refuseIfResolved });

  upsertSearchAttributes([{ key: IncidentKey, value: state.dedupKey }]);
  if (!input.carried && alert.member) addAffected(alert.member);
  if (!input.carried) {
    saveProjection();
    page('triggered', 1);
  }

  const respondMs = escalation.respondMinutes * MINUTE;
  const escalateMs = escalation.escalateMinutes * MINUTE;
  let levelSince = input.carried ? Date.now() : Date.parse(state.openedAt) || Date.now();
  let reminded = !!input.carried;
  let repeats = 0;

  while (state.status !== 'resolved') {
    if (workflowInfo().continueAsNewSuggested) {
      await Promise.all(pages);
      await projection;
      await continueAsNew<typeof incidentLifecycle>({ ...input, carried: state });
    }
    const seen = changes;
    if (state.status === 'triggered') {
      const remind = !reminded && state.level === 1 && respondMs < escalateMs;
      const dueAt = levelSince + (remind ? respondMs : escalateMs);
      const timedOut = !(await condition(() => changes !== seen, Math.max(1, dueAt - Date.now())));
      if (!timedOut || state.status !== 'triggered') continue;
      if (remind) {
        reminded = true;
        note('reminded', `not acknowledged after ${escalation.respondMinutes} min`);
        page('reminder', 1);
      } else if (state.level < levels) {
        state.level++;
        levelSince = Date.now();
        note('escalated', `not acknowledged: paging level ${state.level}`);
        page('escalated', state.level);
      } else if (repeats < LAST_LEVEL_REPEATS) {
        repeats++;
        levelSince = Date.now();
        note('escalated', `not acknowledged: paging level ${state.level} again (${repeats}/${LAST_LEVEL_REPEATS})`);
        page('escalated', state.level);
      } else {
        // Everyone has been paged; wait for someone to acknowledge or resolve.
        await condition(() => changes !== seen);
        continue;
      }
      saveProjection();
    } else {
      const dueAt = Date.parse(state.acknowledgedAt!) + ackTimeoutMinutes * MINUTE;
      const timedOut = !(await condition(() => changes !== seen, Math.max(1, dueAt - Date.now())));
      if (!timedOut || state.status !== 'acknowledged') continue;
      state.status = 'triggered';
      state.acknowledgedAt = undefined;
      levelSince = Date.now();
      reminded = true;
      note('retriggered', `acknowledged by ${state.acknowledgedBy} but not resolved within ${ackTimeoutMinutes} min`);
      state.acknowledgedBy = undefined;
      page('retriggered', state.level);
      saveProjection();
    }
  }

  // Tell everyone who was paged that it is over.
  for (let level = 1; level <= state.level; level++) page(state.resolution === 'auto' ? 'recovered' : 'resolved', level);
  await Promise.all(pages);
  saveProjection();
  await projection;
  log.info('incident resolved', { dedupKey: state.dedupKey, resolution: state.resolution, alerts: state.alertCount });
  return state;
}
