/** Signals, updates, queries and types of the ops workflows, shared by the API and the workflows. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel, EscalationLevel, Severity } from '../common/ops-policy';

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
}

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

export const incidentWorkflowId = (dedupKey: string) => `incident-${dedupKey}`;

export interface NotificationRequest {
  channel: Channel;
  kind: NotificationKind;
  level: number;
  incident: Pick<IncidentState, 'dedupKey' | 'rule' | 'severity' | 'title' | 'message' | 'status' | 'alertCount' | 'openedAt' | 'acknowledgedBy' | 'resolvedBy'>;
  workflowId: string;
  runId: string;
}
