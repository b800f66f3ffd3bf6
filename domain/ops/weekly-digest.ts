/**
 * The weekly digest of low-severity incidents (seed 003 §11.5, "Email semanal"): low incidents are
 * not paged one by one (their escalation channel is `digest`); once a week a Schedule runs
 * `weeklyDigest`, which mails the on-call list every low incident opened, or still open, in the
 * seven days before the run — status, alert count, opened/resolved, and a link to its execution in
 * the Temporal Web UI. A week with none gets a short "nothing low this week" mail, so silence never
 * has to be told apart from a digest that did not run.
 *
 * Sent once per ISO week (in SCHEDULE_TIMEZONE): the run claims the week in `weekly_digests`
 * (an insert of the week's `_id`, FerretDB's one atomic primitive), mails under a Message-ID fixed
 * per week (a resend after a lost reply is recognisably the same message), then marks it sent. A
 * run whose send gives up releases the claim so a re-run can send it.
 */
import type { Config } from '../../common/config';
import type { OutgoingMail } from '../../common/outgoing-mail';
import { onCallAt } from '../../common/ops-policy';
import { executionUrl } from '../../common/temporal';
import type { WeeklyDigestCounts } from '../../contracts/ops';
import { localDay } from '../persistence/counters';
import { Incident } from '../persistence/models/incident';
import { WeeklyDigest } from '../persistence/models/weekly-digest';
import { claimOnce } from '../persistence/write-patterns';

const DAY = 86_400_000;
/** The digest covers the seven days before the run. */
export const DIGEST_PERIOD_DAYS = 7;
/** More rows than this are summarised ("and N more"), so one noisy rule cannot make the mail unreadable. */
export const DIGEST_MAX_ROWS = 200;
/**
 * A claim still `sending` this long after it was taken belongs to a run that died without
 * releasing it (terminated, say): another run may take the week over.
 */
export const STALE_CLAIM_MS = 6 * 3_600_000;

/** The ISO 8601 week (`2026-W07`) of `at`'s local date in `timeZone`. */
export function isoWeek(at: Date, timeZone: string): string {
  const d = new Date(`${localDay(at, timeZone).day}T00:00:00Z`);
  // The ISO year and week are those of the Thursday of the same Monday-to-Sunday week.
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3);
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export interface DigestPeriod {
  week: string;
  from: string;
  to: string;
}

export function digestPeriod(at: Date, timeZone: string): DigestPeriod {
  return { week: isoWeek(at, timeZone), from: new Date(at.getTime() - DIGEST_PERIOD_DAYS * DAY).toISOString(), to: at.toISOString() };
}

export interface DigestRow {
  dedupKey: string;
  title: string;
  rule: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  alertCount: number;
  openedAt: string;
  resolvedAt?: string;
  acknowledgedBy?: string;
  resolvedBy?: string;
  execution: string;
}

type IncidentDoc = { dedupKey: string; title: string; rule: string; status: DigestRow['status']; alertCount: number; openedAt: Date; resolvedAt?: Date | null; acknowledgedBy?: string; resolvedBy?: string; workflowId: string; runId: string };

/** Low incidents open at some time in [from, to): opened in it, or opened before and not resolved before it. */
export async function lowIncidentsIn(period: { from: string; to: string }, ui: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>): Promise<DigestRow[]> {
  const from = new Date(period.from);
  const to = new Date(period.to);
  // A scan of the incidents projection (small: one document per incident), once a week.
  const docs = await Incident.find({ severity: 'low', openedAt: { $lt: to } }).lean<IncidentDoc[]>();
  return docs
    .filter((d) => d.openedAt >= from || !d.resolvedAt || d.resolvedAt >= from)
    .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())
    .map((d) => ({
      dedupKey: d.dedupKey,
      title: d.title,
      rule: d.rule,
      status: d.status,
      alertCount: d.alertCount,
      openedAt: d.openedAt.toISOString(),
      ...(d.resolvedAt ? { resolvedAt: d.resolvedAt.toISOString() } : {}),
      ...(d.acknowledgedBy ? { acknowledgedBy: d.acknowledgedBy } : {}),
      ...(d.resolvedBy ? { resolvedBy: d.resolvedBy } : {}),
      execution: executionUrl(ui, d.workflowId, d.runId),
    }));
}

export function digestCounts(rows: DigestRow[], period: { from: string; to: string }): WeeklyDigestCounts {
  const from = Date.parse(period.from);
  return {
    incidents: rows.length,
    opened: rows.filter((r) => Date.parse(r.openedAt) >= from).length,
    resolved: rows.filter((r) => r.resolvedAt !== undefined && Date.parse(r.resolvedAt) >= from).length,
    open: rows.filter((r) => r.status !== 'resolved').length,
    alerts: rows.reduce((n, r) => n + r.alertCount, 0),
  };
}

/** Who gets the digest: the primary on-call of the rotation at `at`, plus DIGEST_EMAIL (each once). */
export function digestRecipients(config: Pick<Config, 'ONCALL_ROTATION' | 'DIGEST_EMAIL'>, at: Date): string[] {
  const all = [onCallAt(config.ONCALL_ROTATION, at, 1).person.email, ...(config.DIGEST_EMAIL ?? [])];
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.toLowerCase()) && seen.add(e.toLowerCase()));
}

export const digestMessageId = (week: string, namespace: string) => `<weekly-digest.${week}.${encodeURIComponent(namespace)}@pagosflow>`;

const STATUS_TEXT: Record<DigestRow['status'], string> = { triggered: 'open (not acknowledged)', acknowledged: 'acknowledged', resolved: 'resolved' };

/** The digest mail: plain text and HTML with the same facts. */
export function renderWeeklyDigest(input: { period: DigestPeriod; rows: DigestRow[]; to: string[]; apiUrl: string; timeZone: string }): Omit<OutgoingMail, 'messageId'> {
  const { period, rows } = input;
  const counts = digestCounts(rows, period);
  const days = `${localDay(new Date(period.from), input.timeZone).day} → ${localDay(new Date(period.to), input.timeZone).day}`;
  const subject =
    rows.length === 0
      ? `[LOW] Weekly digest ${period.week}: nothing low this week`
      : `[LOW] Weekly digest ${period.week}: ${rows.length} low-severity incident${rows.length === 1 ? '' : 's'} (${counts.open} still open)`;
  const shown = rows.slice(0, DIGEST_MAX_ROWS);
  const more = rows.length - shown.length;
  const line = (r: DigestRow) => [
    `- ${r.title} [${STATUS_TEXT[r.status]}]`,
    `  Rule: ${r.rule}   Key: ${r.dedupKey}   Alerts: ${r.alertCount}`,
    `  Opened: ${r.openedAt}${r.resolvedAt ? `   Resolved: ${r.resolvedAt}${r.resolvedBy ? ` by ${r.resolvedBy}` : ''}` : ''}${r.acknowledgedBy && r.status === 'acknowledged' ? `   Acknowledged by ${r.acknowledgedBy}` : ''}`,
    `  Execution: ${r.execution}`,
  ];
  const text = [
    `Weekly digest of low-severity incidents — ${period.week} (${days}, ${input.timeZone})`,
    '',
    ...(rows.length === 0
      ? ['Nothing low this week: no low-severity incident was open in the last 7 days.']
      : [
          `Incidents: ${counts.incidents}   Opened this week: ${counts.opened}   Resolved this week: ${counts.resolved}   Still open: ${counts.open}   Alerts: ${counts.alerts}`,
          '',
          ...shown.flatMap(line),
          ...(more > 0 ? [``, `… and ${more} more: GET ${input.apiUrl}/api/v1/incidents`] : []),
        ]),
    '',
    `Low-severity incidents are not paged one by one; this mail is their weekly review. Acknowledge or resolve with POST ${input.apiUrl}/api/v1/incidents/<key>/acknowledge|resolve.`,
  ].join('\n');
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const table = shown.length
    ? `<table border="1" cellpadding="4" cellspacing="0"><thead><tr><th>Incident</th><th>Status</th><th>Alerts</th><th>Opened</th><th>Resolved</th><th>Execution</th></tr></thead><tbody>${shown
        .map(
          (r) =>
            `<tr data-incident="${esc(r.dedupKey)}"><td>${esc(r.title)}<br><small>${esc(r.rule)} · ${esc(r.dedupKey)}</small></td><td>${esc(STATUS_TEXT[r.status])}</td><td>${r.alertCount}</td><td>${esc(r.openedAt)}</td><td>${r.resolvedAt ? esc(r.resolvedAt) : '—'}</td><td><a href="${esc(r.execution)}">Open in Temporal</a></td></tr>`,
        )
        .join('')}</tbody></table>${more > 0 ? `<p>… and ${more} more.</p>` : ''}`
    : '<p>Nothing low this week.</p>';
  const html = `<h2>${esc(subject)}</h2><p>${esc(days)} (${esc(input.timeZone)})</p>${rows.length ? `<p>Incidents: ${counts.incidents} · opened: ${counts.opened} · resolved: ${counts.resolved} · still open: ${counts.open} · alerts: ${counts.alerts}</p>` : ''}${table}`;
  return { to: input.to.join(', '), subject, text, html };
}

export type DigestClaim = DigestPeriod & { proceed: boolean; status?: 'sending' | 'sent'; owner?: string };

/** The week's record in `weekly_digests`: claimed by one run, marked sent, or released on failure. */
export function weeklyDigestStore(config: Pick<Config, 'SCHEDULE_TIMEZONE'>) {
  /**
   * Claims the week of `at` for `owner` (a digest run). Proceeds when this run holds the claim and
   * the week was not sent yet; a sent week, or one another live run is sending, is skipped.
   */
  async function claimWeeklyDigest(input: { at: string; owner: string }): Promise<DigestClaim> {
    const period = digestPeriod(new Date(input.at), config.SCHEDULE_TIMEZONE);
    const fields = { status: 'sending', claimedAt: new Date(), periodFrom: new Date(period.from), periodTo: new Date(period.to) };
    const held = await claimOnce(WeeklyDigest, period.week, input.owner, fields);
    const stored = await WeeklyDigest.findById(period.week, { owner: 1, status: 1, claimedAt: 1 }).lean<{ owner: string; status: 'sending' | 'sent'; claimedAt: Date }>();
    if (!stored) return claimWeeklyDigest(input); // released between our insert attempt and the read
    if (stored.status === 'sent') return { ...period, proceed: false, status: 'sent', owner: stored.owner };
    if (held) return { ...period, proceed: true, status: 'sending', owner: input.owner };
    if (Date.now() - new Date(stored.claimedAt).getTime() > STALE_CLAIM_MS) {
      const took = await WeeklyDigest.updateOne({ _id: period.week, owner: stored.owner, status: 'sending' }, { $set: { ...fields, owner: input.owner } });
      if (took.modifiedCount === 1) return { ...period, proceed: true, status: 'sending', owner: input.owner };
    }
    return { ...period, proceed: false, status: stored.status, owner: stored.owner };
  }

  return {
    claimWeeklyDigest,

    async markWeeklyDigestSent(input: { week: string; owner: string; messageId: string; recipients: string[]; counts: WeeklyDigestCounts; sentAt: string }): Promise<void> {
      await WeeklyDigest.updateOne(
        { _id: input.week },
        { $set: { owner: input.owner, status: 'sent', sentAt: new Date(input.sentAt), messageId: input.messageId, recipients: input.recipients, counts: input.counts } },
      );
    },

    /** The send gave up: the week is free again for a re-run (unless it was sent after all). */
    async releaseWeeklyDigest(input: { week: string; owner: string }): Promise<void> {
      const stored = await WeeklyDigest.findById(input.week, { owner: 1, status: 1 }).lean<{ owner: string; status: string }>();
      if (stored?.owner === input.owner && stored.status === 'sending') await WeeklyDigest.deleteOne({ _id: input.week });
    },
  };
}
