import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { Alert } from '../persistence/models/alert';
import { MaintenanceWindowModel } from '../persistence/models/maintenance-window';
import {
  ALERT_RULE_NAMES,
  escalationDepth,
  maintenanceCovering,
  toSeverity,
  type AlertRuleName,
  type MaintenanceWindow,
  type Severity,
} from '../../common/ops-policy';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import {
  attachExecutionUpdate,
  executionRecoveredSignal,
  incidentLifecycleWorkflow,
  incidentWorkflowId,
  joinIncidentUpdate,
  resolveSignal,
  type AffectedExecution,
  type AlertFiring,
  type AlertToRaise,
  type IncidentInput,
  type RaiseOutcome,
} from '../../contracts/ops';
import { alertGroupOf, type AlertGroup } from './alert-groups';
import { dependencyAlertKeys } from './health-rules';
import { alertRecords, type AlertSeverity } from './alerts';
import { withTimeout } from './probes';

export type AlertingConfig = Pick<Config, 'ALERT_RULES' | 'ESCALATION_MATRIX' | 'ONCALL_ROTATION' | 'INCIDENT_ACK_TIMEOUT_MINUTES' | 'MAINTENANCE_WINDOWS' | 'ALERT_WEBHOOK_URL'>;


const DEPENDENCY_DOWN = dependencyAlertKeys('x').down.replace(/x$/, '');

/** Alerts of business workflows (rules not in the config) get this cooldown between incidents. */
const DEFAULT_COOLDOWN_MINUTES = 15;

/**
 * Alert bookkeeping in MongoDB must not stand between a failure and its page: when the database
 * is the thing that is down, it is skipped after a short wait (and the cooldown check with it).
 */
async function bestEffort<T>(op: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await withTimeout(op(), BOOKKEEPING_TIMEOUT_MS);
  } catch {
    return fallback;
  }
}
const BOOKKEEPING_TIMEOUT_MS = 3000;

/** Re-openings of a critical incident within one cooldown beyond which the condition is flapping. */
export const FLAP_LIMIT = 2;

/**
 * Cooldown as PagerDuty means it. A firing while the key's incident is open joins it (never a new
 * page; decided before this). Once that incident has closed, a new firing inside the rule's
 * cooldown is suppressed — except for critical ones: a critical dependency down again after its
 * recovery pages at once, unless it has already re-opened FLAP_LIMIT times within the cooldown
 * (flapping: then it is suppressed until the cooldown passes). Returns the re-openings to keep.
 */
export function cooldownDecision(input: { severity: string; now: Date; cooldownMs: number; lastOpenedAt?: Date; reopenedAt: Date[] }): { suppress: boolean; reopenedAt: Date[] } {
  const { now, cooldownMs } = input;
  const recent = input.reopenedAt.map((d) => new Date(d)).filter((d) => now.getTime() - d.getTime() < cooldownMs);
  const inCooldown = input.lastOpenedAt !== undefined && now.getTime() - new Date(input.lastOpenedAt).getTime() < cooldownMs;
  if (!inCooldown) return { suppress: false, reopenedAt: recent };
  if (input.severity === 'critical' && recent.length < FLAP_LIMIT) return { suppress: false, reopenedAt: [...recent, now] };
  return { suppress: true, reopenedAt: recent };
}

/** A rule name as a title (`webhook_processing_failed` → `webhook processing failed`). */
export const alertTitle = (rule: string) => rule.replace(/[-_]/g, ' ');

const isRule = (rule: string): rule is AlertRuleName => (ALERT_RULE_NAMES as readonly string[]).includes(rule);

/** Maintenance windows in effect: the configured ones plus those added through the API. */
export async function maintenanceWindows(config: Pick<Config, 'MAINTENANCE_WINDOWS'>, at = new Date()): Promise<MaintenanceWindow[]> {
  const stored = await MaintenanceWindowModel.find({}).lean<{ start: Date; end: Date; rules: string[]; reason: string }[]>();
  return [
    ...config.MAINTENANCE_WINDOWS,
    ...stored.filter((w) => w.end > at).map((w) => ({ start: w.start.toISOString(), end: w.end.toISOString(), rules: w.rules, reason: w.reason })),
  ];
}

/**
 * Alerts become incidents here: the one alert path of the product. Every source (business
 * workflows' failed steps, the rule engine, the health monitor, backups, token refresh) raises and
 * clears through these functions, and a raise reaches the incident machinery at once: a firing
 * while the dedup key's incident is open is added to it (no new page); a maintenance window or the
 * rule's cooldown suppresses a new incident; otherwise `incident-<dedupKey>` starts and pages.
 */
export function alerting(config: AlertingConfig, client: Client) {
  const alerts = alertRecords();
  // `digest` is not a page: those incidents are reported by the weekly digest (workflows/ops/weekly-digest.ts).
  const channels = (s: Severity) => [...config.ESCALATION_MATRIX[s].channels.filter((c) => c !== 'digest'), ...(config.ALERT_WEBHOOK_URL ? (['webhook'] as const) : [])];

  /** An open incident takes the firing; false when there is none (or it is resolving: then throws, to retry). */
  async function joinOpen(workflowId: string, firing: AlertFiring): Promise<boolean> {
    try {
      await client.workflow.getHandle(workflowId).executeUpdate(joinIncidentUpdate, { args: [firing] });
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      // Resolved, its recovery pages still going out: once it has ended, the retry opens a new one.
      if (err instanceof WorkflowUpdateFailedError) throw new Error(`incident ${workflowId} is closing; the firing waits for it to end`);
      throw err;
    }
  }

  async function openOrAdd(a: AlertToRaise & Pick<AlertFiring, 'member' | 'resolvesWithMembers'>, alertCount: number): Promise<RaiseOutcome> {
    const settings = isRule(a.rule) ? config.ALERT_RULES[a.rule] : undefined;
    if (settings && !settings.enabled) return 'disabled';
    const severity = a.severity ? toSeverity(a.severity) : (settings?.severity ?? 'high');
    const now = a.at ? new Date(a.at) : new Date();
    const { at: _seenAt, ...fired } = a;
    const firing: AlertFiring = { ...fired, severity, firedAt: now.toISOString() };
    const workflowId = incidentWorkflowId(a.dedupKey);
    if (await joinOpen(workflowId, firing)) {
      await bestEffort(() => Alert.updateOne({ _id: a.dedupKey }, { $set: { pagedCount: alertCount, incidentOpen: true }, $unset: { suppressed: '' } }), undefined);
      return 'added';
    }
    const window = maintenanceCovering(await bestEffort(() => maintenanceWindows(config, now), config.MAINTENANCE_WINDOWS), a.rule, now);
    const stored = await bestEffort(() => Alert.findById(a.dedupKey, { incidentOpenedAt: 1, reopenedAt: 1 }).lean<{ incidentOpenedAt?: Date; reopenedAt?: Date[] }>(), null);
    const cooldownMs = (settings?.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES) * 60_000;
    const cooldown = cooldownDecision({ severity, now, cooldownMs, lastOpenedAt: stored?.incidentOpenedAt, reopenedAt: stored?.reopenedAt ?? [] });
    const suppressed: RaiseOutcome | undefined = window ? 'suppressed_maintenance' : cooldown.suppress ? 'suppressed_cooldown' : undefined;
    if (suppressed) {
      const reason = window ? `maintenance: ${window.reason || window.end}` : 'cooldown';
      await bestEffort(() => Alert.updateOne({ _id: a.dedupKey }, { $set: { pagedCount: alertCount, suppressed: reason } }), undefined);
      return suppressed;
    }
    const input: IncidentInput = {
      alert: firing,
      escalation: { ...config.ESCALATION_MATRIX[severity], channels: channels(severity) },
      levels: escalationDepth(config.ONCALL_ROTATION),
      ackTimeoutMinutes: config.INCIDENT_ACK_TIMEOUT_MINUTES,
    };
    let outcome: RaiseOutcome = 'opened';
    try {
      await client.workflow.start<WorkflowOf<typeof incidentLifecycleWorkflow>>(incidentLifecycleWorkflow.type, { workflowId, taskQueue: incidentLifecycleWorkflow.taskQueue, args: [input] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Another source opened it a moment ago: this firing joins it.
      if (!(await joinOpen(workflowId, firing))) throw new Error(`incident ${workflowId} ended while this firing joined it; retry`);
      outcome = 'added';
    }
    await bestEffort(() => Alert.updateOne({ _id: a.dedupKey }, { $set: { incidentOpenedAt: now, reopenedAt: cooldown.reopenedAt, pagedCount: alertCount, incidentOpen: true }, $unset: { suppressed: '' } }), undefined);
    return outcome;
  }

  /** `recorded`: the bookkeeping says the incident is open (and is told it no longer is). */
  async function resolveIncident(dedupKey: string, note: string, recorded = true): Promise<boolean> {
    let found = true;
    try {
      await client.workflow.getHandle(incidentWorkflowId(dedupKey)).signal(resolveSignal, { by: 'rule-engine', note, auto: true });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      found = false;
    }
    if (recorded || found) await Alert.updateOne({ _id: dedupKey }, { $set: { incidentOpen: false } });
    return found;
  }

  /**
   * One execution's failed step: attached to the open down-incident of the dependency that explains
   * it, else joined to (or opening) the incident of its group. The execution's own alert record
   * keeps which incident took it, so its recovery reaches that incident.
   */
  async function raiseGrouped(a: AlertToRaise, severity: AlertSeverity, group: AlertGroup): Promise<RaiseOutcome> {
    const member: AffectedExecution = { key: a.dedupKey, workflowId: a.source, at: new Date().toISOString(), summary: a.message.slice(0, 300) };
    const took = (incidentKey: string) => bestEffort(() => Alert.updateOne({ _id: a.dedupKey }, { $set: { incidentKey } }), undefined);
    if (group.dependencyIncidentKey) {
      try {
        await client.workflow.getHandle(incidentWorkflowId(group.dependencyIncidentKey)).executeUpdate(attachExecutionUpdate, { args: [member] });
        await took(group.dependencyIncidentKey);
        return 'attached';
      } catch (err) {
        // No open incident of that dependency (never opened, ended, or resolving): the group's own.
        if (!(err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError)) throw err;
      }
    }
    await bestEffort(() => alerts.recordAlert({ dedupKey: group.key, rule: a.rule, severity, message: a.message, source: 'grouped', details: { step: group.step } }), undefined);
    const stored = await bestEffort(() => Alert.findById(group.key, { count: 1 }).lean<{ count: number }>(), null);
    const outcome = await openOrAdd({ ...a, dedupKey: group.key, title: group.title, severity, member, resolvesWithMembers: true }, stored?.count ?? 1);
    await took(group.key);
    return outcome;
  }

  const service = {
    /** Records the alert (one open alert per dedup key, counted) and opens or feeds its incident. */
    async raiseAlert(a: AlertToRaise): Promise<RaiseOutcome> {
      const settings = isRule(a.rule) ? config.ALERT_RULES[a.rule] : undefined;
      if (settings && !settings.enabled) return 'disabled';
      const severity = a.severity ?? settings?.severity ?? 'high';
      await bestEffort(() => alerts.recordAlert({ dedupKey: a.dedupKey, rule: a.rule, severity, message: a.message, source: a.source, details: a.details }), undefined);
      const group = alertGroupOf(a);
      if (group) return raiseGrouped(a, severity, group);
      const stored = await bestEffort(() => Alert.findById(a.dedupKey, { count: 1 }).lean<{ count: number }>(), null);
      return openOrAdd({ ...a, severity }, stored?.count ?? 1);
    },

    /** The condition is over: the alert is resolved and its incident too, with a recovery notice. */
    async clearAlert(input: { dedupKey: string; note: string }): Promise<{ resolvedIncident: boolean }> {
      // Called for every rule that does not hold, every run: one read by _id settles the usual
      // case (nothing open), instead of a conditional update that FerretDB answers with a scan.
      const stored = await Alert.findById(input.dedupKey, { status: 1, incidentOpen: 1, incidentKey: 1 }).lean<{ status: string; incidentOpen?: boolean; incidentKey?: string }>();
      const unrecordedOutage = input.dedupKey.startsWith(DEPENDENCY_DOWN);
      if (!stored) return { resolvedIncident: unrecordedOutage && (await resolveIncident(input.dedupKey, input.note, false)) };
      if (stored.status === 'open') await alerts.resolveAlert({ dedupKey: input.dedupKey });
      if (stored.incidentKey) {
        // A grouped execution recovered: its incident counts it (and resolves with the last one).
        try {
          await client.workflow.getHandle(incidentWorkflowId(stored.incidentKey)).signal(executionRecoveredSignal, { key: input.dedupKey, at: new Date().toISOString() });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        return { resolvedIncident: false };
      }
      // A dependency's down-incident may have been opened while the database itself was down (its
      // bookkeeping skipped): those are asked to resolve even without a record saying they are open.
      if (!stored.incidentOpen) return { resolvedIncident: unrecordedOutage && (await resolveIncident(input.dedupKey, input.note, false)) };
      return { resolvedIncident: await resolveIncident(input.dedupKey, input.note) };
    },

    /**
     * Catch-up for alerts recorded but not yet paged or resolved (the health monitor ran this every
     * minute while business workflows only recorded alerts; monitor runs recorded before
     * `one-alert-path` still call it on replay).
     */
    async sweepAlerts(): Promise<{ raised: number; resolved: number }> {
      // A scan, but of a small collection: one document per dedup key.
      const all = await Alert.find({}).lean<any[]>();
      let raised = 0;
      let resolved = 0;
      for (const a of all) {
        // Grouped executions and their groups are paged when raised, never one by one from here.
        if (alertGroupOf(a)) continue;
        if (a.status === 'open' && (a.pagedCount ?? 0) < a.count) {
          const outcome = await openOrAdd({ dedupKey: a._id, rule: a.rule, severity: a.severity, title: alertTitle(a.rule), message: a.message, source: a.source ?? 'workflow', details: a.details }, a.count);
          if (outcome === 'opened' || outcome === 'added') raised++;
        } else if (a.status === 'resolved' && a.incidentOpen) {
          if (await resolveIncident(a._id, 'the alert was resolved')) resolved++;
        }
      }
      return { raised, resolved };
    },

    /**
     * The names business workflows used before `one-alert-path` (recorded histories and executions
     * still running replay them): the same path as raiseAlert/clearAlert, paged at once.
     */
    async recordAlert(input: { dedupKey: string; rule: string; severity: AlertSeverity; message: string; source: string; details?: unknown }): Promise<void> {
      await service.raiseAlert({ ...input, title: alertTitle(input.rule), details: input.details as Record<string, unknown> | undefined });
    },
    async resolveAlert(input: { dedupKey: string }): Promise<void> {
      await service.clearAlert({ dedupKey: input.dedupKey, note: 'the alert was resolved' });
    },
  };
  return service;
}
