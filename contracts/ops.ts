/** Signals, updates, queries and types of the ops workflows, shared by the API and the workflows. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HealthLevel } from '../common/health-status';
import type { Channel, EscalationLevel, Severity } from '../common/ops-policy';
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

/** Started by domain/ops/alerting.ts, one per dedup key. */
export const incidentLifecycleWorkflow = workflowRef<(input: IncidentInput) => Promise<IncidentState>>()('incidentLifecycle', TASK_QUEUE.ops);
/** Started by their Schedules (workers/schedules.ts); the metrics check also by the API. */
export const healthMonitorWorkflow = workflowRef<() => Promise<HealthSnapshot>>()('healthMonitor', TASK_QUEUE.ops);
export const metricsSnapshotWorkflow = workflowRef<() => Promise<MetricsCheckResult>>()('metricsSnapshot', TASK_QUEUE.ops);
export const databaseBackupWorkflow = workflowRef<() => Promise<BackupReport>>()('databaseBackup', TASK_QUEUE.ops);
export const opsRetentionWorkflow = workflowRef<() => Promise<OpsRetentionReport>>()('opsRetention', TASK_QUEUE.ops);
export const goHighLevelTokenRefreshWorkflow = workflowRef<() => Promise<TokenRefreshResult>>()('goHighLevelTokenRefresh', TASK_QUEUE.ops);

/** One firing of an alert rule (or a business workflow's alert) for a dedup key. */
export interface AlertFiring {
  dedupKey: string;
  rule: string;
  severity: Severity;
  title: string;
  message: string;
  source: string;
  details?: Record<string, unknown>;
  firedAt: string;
  /** Set when the firing is one execution's failure gathered into a grouped incident. */
  member?: AffectedExecution;
  /** A grouped incident resolves itself (a recovery page) once every affected execution recovered. */
  resolvesWithMembers?: boolean;
}

/** One execution a grouped incident stands for (a failed webhook or order step), linked in pages and the API. */
export interface AffectedExecution {
  /** The execution's own alert key (`webhook-failed:<eventId>`, `order-step-failed:<order>`). */
  key: string;
  workflowId: string;
  at: string;
  summary: string;
  recoveredAt?: string;
}

/** The executions behind an incident: all counted, the first AFFECTED_LISTED listed. */
export interface AffectedExecutions {
  total: number;
  open: number;
  listed: AffectedExecution[];
  /** Keys of the executions not yet recovered (all of them, listed or not). */
  openKeys: string[];
}
export const AFFECTED_LISTED = 100;

export interface IncidentInput {
  alert: AlertFiring;
  escalation: EscalationLevel;
  /** How many on-call levels there are to escalate through (primary, secondary, escalation list). */
  levels: number;
  ackTimeoutMinutes: number;
  /** Carried over by continue-as-new. */
  carried?: IncidentState;
}

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export type NotificationKind = 'triggered' | 'reminder' | 'escalated' | 'retriggered' | 'resolved' | 'recovered';

export interface TimelineEntry {
  at: string;
  kind: 'opened' | 'alert' | 'notified' | 'notify_failed' | 'acknowledged' | 'escalated' | 'reminded' | 'retriggered' | 'resolved';
  detail?: string;
}

/** The incident: the first firing's facts (message and details follow the latest), and its course. */
export interface IncidentState extends Omit<AlertFiring, 'firedAt'> {
  status: IncidentStatus;
  /** The on-call level paged last (1 = primary). */
  level: number;
  alertCount: number;
  openedAt: string;
  lastAlertAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: 'manual' | 'auto';
  notificationsSent: number;
  notificationsFailed: number;
  timeline: TimelineEntry[];
  /** Grouped incidents (and dependency incidents that failures attached to): the executions behind them. */
  affected?: AffectedExecutions;
  resolvesWithMembers?: boolean;
}

export interface IncidentAction {
  by: string;
  note?: string;
}

/** A firing of the incident's rule: counted on the open incident, never paged again. */
export const alertFiredSignal = defineSignal<[AlertFiring]>('alertFired');
/** `tctl workflow signal --workflow_id incident-<key> --name acknowledge --input '{"by":"ana"}'` */
export const acknowledgeSignal = defineSignal<[IncidentAction]>('acknowledge');
/** `… --name resolve --input '{"by":"ana","note":"fixed"}'`; the rule engine sends `{auto: true}` on recovery. */
export const resolveSignal = defineSignal<[IncidentAction & { auto?: boolean }]>('resolve');
/** The API's acknowledge/resolve: like the signals, but answer with the incident, or refuse (resolved). */
export const acknowledgeUpdate = defineUpdate<IncidentState, [IncidentAction]>('acknowledgeIncident');
export const resolveUpdate = defineUpdate<IncidentState, [IncidentAction]>('resolveIncident');
export const incidentQuery = defineQuery<IncidentState>('incident');
/**
 * How the alerting joins a firing to an open incident: like `alertFired`, but refused once the
 * incident is resolved (its recovery pages may still be going out), so a firing is never swallowed
 * by an incident that is closing — the caller opens a new one instead.
 */
export const joinIncidentUpdate = defineUpdate<{ alertCount: number }, [AlertFiring]>('joinIncident');
/** An execution's failure that an open incident explains (a dependency down): listed on it, never paged again. */
export const attachExecutionUpdate = defineUpdate<{ total: number }, [AffectedExecution]>('attachExecution');
/** An affected execution recovered (its step retried and done); a grouped incident with none left resolves. */
export const executionRecoveredSignal = defineSignal<[{ key: string; at: string }]>('executionRecovered');

export const incidentWorkflowId = (dedupKey: string) => `incident-${dedupKey}`;

export interface NotificationRequest {
  channel: Channel;
  kind: NotificationKind;
  level: number;
  incident: Pick<IncidentState, 'dedupKey' | 'rule' | 'severity' | 'title' | 'message' | 'status' | 'alertCount' | 'openedAt' | 'acknowledgedBy' | 'resolvedBy'> & { affected?: Omit<AffectedExecutions, 'openKeys'> };
  workflowId: string;
  runId: string;
}

/** What a workflow (or the rule engine) raises: the incident machinery decides to open, add or suppress. */
export interface AlertToRaise {
  dedupKey: string;
  rule: string;
  /** Defaults to the rule's configured severity (rules of common/ops-policy.ts); else high. */
  severity?: Severity | 'warning';
  title: string;
  message: string;
  source: string;
  details?: Record<string, unknown>;
  /** When the source saw it (a workflow's clock); cooldowns are measured on it. Defaults to now. */
  at?: string;
}

/** `attached`: an open incident of the dependency that explains the failure took it (no page). */
export type RaiseOutcome = 'opened' | 'added' | 'attached' | 'suppressed_maintenance' | 'suppressed_cooldown' | 'disabled';

export type ProbeStatus = HealthLevel;
export interface ProbeResult {
  name: string;
  status: ProbeStatus;
  latencyMs: number;
  error?: string;
  /** Slower than the api_response_time rule's threshold (set by the ops probes). */
  slow?: boolean;
}

/** What the health monitor found: stored, and the workflow's result. */
export interface HealthSnapshot {
  checkId: string;
  status: ProbeStatus;
  probes: ProbeResult[];
  checkedAt: string;
}

/** The metrics snapshot of seed 000 (computed by domain/ops/metrics-snapshot.ts). */
export interface MetricsSnapshot {
  financials: {
    total_processed_today: Record<string, number>;
    total_processed_month: Record<string, number>;
    refunded_today: Record<string, number>;
    refunded_month: Record<string, number>;
    charged_back_today: Record<string, number>;
    charged_back_month: Record<string, number>;
    /** Gross − refunded − charged back (+ chargebacks MercadoPago reimbursed), per currency. */
    net_processed_today: Record<string, number>;
    net_processed_month: Record<string, number>;
    refunds_today: number;
    chargebacks_today: number;
    payments_pending: number;
    payments_approved: number;
    payments_rejected: number;
    approval_rate: number | null;
  };
  performance: {
    payment_success_rate: number | null;
    webhook_success_rate: number | null;
    webhook_avg_response_time: number | null;
    webhook_p95_response_time: number | null;
    webhooks_last_hour: { total: number; succeeded: number; ignored: number; failed: number };
    payments_last_hour: { approved: number; rejected: number; total: number };
    payments_per_minute: number;
    transactions_per_client: Record<string, number>;
  };
  system_health: {
    services: { name: string; status: 'healthy' | 'degraded' | 'down' | 'unknown'; response_time_ms: number | null; uptime_percentage: number | null; checked_at: string | null; error?: string }[];
  };
  security: {
    invalid_signatures_last_hour: Record<string, number>;
    threats_last_hour: number;
    top_threats: { threat_type: string; severity: string; count: number; description: string }[];
    threat_level: 'low' | 'medium' | 'high' | 'critical';
  };
  trends: {
    hourly_volume: { hour: string; payments: number; approved: number; amount: Record<string, number> }[];
    daily_revenue: { date: string; amount: Record<string, number>; refunded: Record<string, number>; net: Record<string, number>; approved: number }[];
  };
  credentials: { name: string; expires_at: string | null; days_left: number | null; last_error?: string }[];
  heartbeats: { name: string; last_at: string | null; hours_since: number }[];
  metadata: { generated_at: string; timezone: string; buckets_read: number; computation_ms: number; period: { today: string; month: string } };
}

export interface BackupSummary {
  archive: string;
  collections: number;
  documents: number;
  bytes: number;
  createdAt: string;
}

/** The metrics workflow's result (the API's POST /ops/metrics/check answers it). */
export interface MetricsCheckResult {
  snapshot: MetricsSnapshot;
  alerts: { dedupKey: string; rule: string; outcome: RaiseOutcome }[];
  cleared: string[];
}

export interface BackupReport extends BackupSummary {
  verified: true;
  retention: { kept: string[]; deleted: string[] };
}

/** The GoHighLevel token refresh workflow's result. */
export interface TokenRefreshResult {
  refreshed: boolean;
  reason?: string;
  accessExpiresAt?: string;
  expiresAt?: string;
}

/** The daily retention run's result: ops data expired, and backups kept and deleted. */
export interface OpsRetentionReport {
  data: { deleted: Record<string, number>; droppedCollections: string[] };
  backups: { kept: string[]; deleted: string[] };
}

/** Alert rules raised by business workflows (a failed step waiting for a person, a pending approval). */
/** A step waiting for a person: they share one runbook, failed-step.md. */
const FAILED_STEP_RULES = ['webhook_processing_failed', 'order_step_failed', 'commission_approval_pending'] as const;
export const BUSINESS_ALERT_RULES = [...FAILED_STEP_RULES, 'unmatched_payment'] as const;

/** The runbook page an incident of `rule` links to (every one exists: test/ops/runbooks.test.ts). */
export function runbookFor(rule: string): string {
  const page = (FAILED_STEP_RULES as readonly string[]).includes(rule) ? 'failed-step' : rule.replace(/_/g, '-');
  return `docs/runbooks/${page}.md`;
}

// ---- Weekly digest of low-severity incidents (seed 003 §11.5 "Email semanal") -----------------

/** Started by its Schedule `ops-weekly-digest` (workers/schedules.ts, DIGEST_CRON), or by hand. */
export const weeklyDigestWorkflow = workflowRef<(input?: WeeklyDigestInput) => Promise<WeeklyDigestResult>>()('weeklyDigest', TASK_QUEUE.ops);

export interface WeeklyDigestInput {
  /** The digest's "now" (ISO): it covers the 7 days before it, and is sent once per its ISO week. Defaults to the run's start. */
  at?: string;
}

export interface WeeklyDigestCounts {
  /** Low incidents open at some time in the period. */
  incidents: number;
  opened: number;
  resolved: number;
  /** Not resolved yet. */
  open: number;
  /** Firings across them. */
  alerts: number;
}

export interface WeeklyDigestResult {
  /** ISO week in SCHEDULE_TIMEZONE, e.g. `2026-W07`: one digest per week. */
  week: string;
  from: string;
  to: string;
  sent: boolean;
  /** Why nothing was sent (the week's digest was sent already, or another run holds it). */
  skipped?: string;
  messageId?: string;
  recipients?: string[];
  counts?: WeeklyDigestCounts;
}
