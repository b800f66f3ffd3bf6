import { runbookFor, type NotificationRequest } from '../../contracts/ops';
import type { Config } from '../../common/config';
import type { OnCallPerson } from '../../common/ops-policy';
import { toGsm, gsmLength } from '../../common/sms';
import { executionUrl } from '../../common/temporal';

const HEADLINE: Record<NotificationRequest['kind'], string> = {
  triggered: 'Incident opened',
  reminder: 'Not acknowledged yet',
  escalated: 'Escalated to you',
  retriggered: 'Acknowledged but not resolved: re-triggered',
  resolved: 'Resolved',
  recovered: 'Recovered',
};

/** A grouped incident's executions: how many, how many still failed, links to the first few. */
function affectedLines(affected: NotificationRequest['incident']['affected'], ui: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>): string[] {
  if (!affected) return [];
  const open = affected.listed.filter((x) => !x.recoveredAt);
  return [
    `Affected executions: ${affected.total} (${affected.open} not recovered)`,
    ...open.map((x) => `  - ${x.workflowId}: ${executionUrl(ui, x.workflowId)}`),
    ...(affected.open > open.length ? [`  … and ${affected.open - open.length} more (GET /api/v1/incidents)`] : []),
  ];
}

/** The text of a page, the same facts on every channel: what, how bad, who acts, how to acknowledge. */
export function renderPage(req: NotificationRequest, to: OnCallPerson, links: { ui: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>; apiUrl: string }) {
  const i = req.incident;
  const over = req.kind === 'resolved' || req.kind === 'recovered';
  const subject = `[${i.severity.toUpperCase()}] ${HEADLINE[req.kind]}: ${i.title}`;
  const execution = executionUrl(links.ui, req.workflowId, req.runId);
  const lines = [
    `${HEADLINE[req.kind]} — ${i.title}`,
    `Severity: ${i.severity}   Rule: ${i.rule}   Level: ${req.level} (${to.name})`,
    `What: ${i.message}`,
    `Opened: ${i.openedAt}   Alerts so far: ${i.alertCount}`,
    ...affectedLines(i.affected, links.ui),
    ...(over ? [`By: ${i.resolvedBy ?? 'the rule engine'}`] : [
      `Acknowledge: POST ${links.apiUrl}/api/v1/incidents/${encodeURIComponent(i.dedupKey)}/acknowledge`,
      `  or: tctl workflow signal --workflow_id ${req.workflowId} --name acknowledge --input '{"by":"${to.email}"}'`,
      `Runbook: ${runbookFor(i.rule)}`,
    ]),
    `Execution: ${execution}`,
  ];
  const text = lines.join('\n');
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = `<h2>${escape(HEADLINE[req.kind])}: ${escape(i.title)}</h2><pre>${escape(text)}</pre><p><a href="${escape(execution)}">Open in Temporal</a></p>`;
  return { subject, text, html, execution };
}

/** One SMS holds 160 GSM characters; a page is kept to one. */
export const SMS_MAX = 160;

/**
 * The SMS form of a page, one segment: severity, what happened, the incident's title, how many
 * alerts, where to act (the dashboard, which acknowledges in place) and a short reference of the
 * page. A resend of the same page (an attempt retried after a lost answer) carries the same `ref`,
 * so the person can tell a duplicate from a new page. The title is shortened to fit.
 */
export function renderSms(req: NotificationRequest, links: { apiUrl: string }, ref: string): string {
  const i = req.incident;
  const head = `[${i.severity.toUpperCase()}] ${HEADLINE[req.kind]}: `;
  const tail = ` (${i.alertCount} alert${i.alertCount === 1 ? '' : 's'}) ${links.apiUrl.replace(/\/$/, '')}/dashboard/ ref ${ref}`;
  let title = toGsm(i.title);
  const fixed = gsmLength(toGsm(head + tail)) ?? SMS_MAX;
  const room = Math.max(20, SMS_MAX - fixed);
  if ((gsmLength(title) ?? 0) > room) {
    while ((gsmLength(title) ?? 0) > room - 3) title = title.slice(0, -1);
    title = `${title.trimEnd()}...`;
  }
  return toGsm(head + title + tail);
}
