/**
 * Operations policy: alert rules, the escalation matrix, the on-call rotation and maintenance
 * windows. Defaults are the seeds' (000 for the rules, 003 §11.5 for the matrix); each can be
 * overridden from the environment as JSON, validated here once at start-up. Pure code only: the
 * incident workflow imports the types and the matrix lookups.
 */
import { z } from 'zod';
import { E164 } from './sms';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** `digest`: not paged one by one; gathered into the weekly digest email (workflows/ops/weekly-digest.ts). */
export const CHANNELS = ['email', 'slack', 'webhook', 'sms', 'digest'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Seed 000 speaks of "warning"; the escalation matrix of seed 003 has no such level: it is medium. */
export function toSeverity(level: string): Severity {
  return (SEVERITIES as readonly string[]).includes(level) ? (level as Severity) : level === 'warning' ? 'medium' : 'high';
}

// ---- Escalation matrix (seed 003 §11.5) ------------------------------------------------------

const escalationLevel = z.object({
  /** Unacknowledged this long: the people already paged are reminded. */
  respondMinutes: z.number().positive(),
  /** Unacknowledged this long: the next on-call level is paged (and again every as long after). */
  escalateMinutes: z.number().positive(),
  channels: z.array(z.enum(CHANNELS)).min(1),
});
export type EscalationLevel = z.infer<typeof escalationLevel>;
export type EscalationMatrix = Record<Severity, EscalationLevel>;

export const DEFAULT_ESCALATION_MATRIX: EscalationMatrix = {
  critical: { respondMinutes: 15, escalateMinutes: 30, channels: ['sms', 'email', 'slack'] },
  high: { respondMinutes: 60, escalateMinutes: 120, channels: ['email', 'slack'] },
  medium: { respondMinutes: 240, escalateMinutes: 480, channels: ['email'] },
  low: { respondMinutes: 1440, escalateMinutes: 2880, channels: ['digest'] },
};

/** Partial per-key overrides (JSON from the environment) merged over complete defaults. */
function overridesOf<K extends string, D extends Record<K, object>>(keys: readonly [K, ...K[]], item: z.ZodObject, defaults: D) {
  return z.partialRecord(z.enum(keys), item.partial()).transform((over): D => {
    const out = { ...defaults };
    for (const k of keys) out[k] = { ...out[k], ...(over as Partial<Record<K, object>>)[k] };
    return out;
  });
}

export const escalationMatrixSchema = overridesOf(SEVERITIES, escalationLevel, DEFAULT_ESCALATION_MATRIX);

// ---- On-call rotation ------------------------------------------------------------------------

const person = z.object({
  name: z.string().min(1),
  email: z.email(),
  /** Slack member id (U…), mentioned in the channel message when set. */
  slackId: z.string().optional(),
  /** Mobile number (E.164) for the `sms` channel; without one that channel fails for this person, the others go on. */
  phone: z.string().regex(E164, 'must be an E.164 phone number, e.g. +5491155550101').optional(),
});
export type OnCallPerson = z.infer<typeof person>;

export const onCallRotationSchema = z.object({
  /** The start of week 0 (ISO date-time); weeks rotate every 7 days from it. */
  startsAt: z.iso.datetime({ offset: true }),
  weeks: z.array(z.object({ primary: person, secondary: person })).min(1),
  /** Paged after the secondary (level 3 onwards): team lead, then manager. */
  escalation: z.array(person).default([]),
});
export type OnCallRotation = z.infer<typeof onCallRotationSchema>;

export const DEFAULT_ONCALL_ROTATION: OnCallRotation = {
  startsAt: '2026-01-05T00:00:00-03:00',
  weeks: [
    { primary: { name: 'Ana (on-call)', email: 'ana.oncall@pagosflow.local', phone: '+5491155550101' }, secondary: { name: 'Bruno (backup)', email: 'bruno.oncall@pagosflow.local', phone: '+5491155550102' } },
    { primary: { name: 'Bruno (on-call)', email: 'bruno.oncall@pagosflow.local', phone: '+5491155550102' }, secondary: { name: 'Ana (backup)', email: 'ana.oncall@pagosflow.local', phone: '+5491155550101' } },
  ],
  escalation: [{ name: 'Carla (team lead)', email: 'carla.lead@pagosflow.local', phone: '+5491155550103' }],
};

/** Who is paged at `level` (1 = primary, 2 = secondary, 3+ = escalation list) at time `at`. */
export function onCallAt(rotation: OnCallRotation, at: Date, level: number): { level: number; person: OnCallPerson } {
  const weekMs = 7 * 86_400_000;
  const n = rotation.weeks.length;
  const index = ((Math.floor((at.getTime() - Date.parse(rotation.startsAt)) / weekMs) % n) + n) % n;
  const week = rotation.weeks[index];
  const chain = [week.primary, week.secondary, ...rotation.escalation];
  const l = Math.max(1, Math.min(level, chain.length));
  return { level: l, person: chain[l - 1] };
}

export const escalationDepth = (rotation: OnCallRotation) => 2 + rotation.escalation.length;

// ---- Maintenance windows ---------------------------------------------------------------------

export const maintenanceWindowSchema = z.object({
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  /** Alert rules it covers; empty = every rule. */
  rules: z.array(z.string().min(1)).default([]),
  reason: z.string().max(500).default(''),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export function maintenanceCovering(windows: MaintenanceWindow[], rule: string, at: Date): MaintenanceWindow | undefined {
  const t = at.getTime();
  return windows.find((w) => Date.parse(w.start) <= t && t < Date.parse(w.end) && (w.rules.length === 0 || w.rules.includes(rule)));
}

// ---- Alert rules (seed 000, plus the platform's own) ------------------------------------------

export const ALERT_RULE_NAMES = [
  'webhook_error_rate',
  'security_threat',
  'oauth_expiration',
  'payment_failure_rate',
  'api_response_time',
  'system_overload',
  'database_down',
  'temporal_unreachable',
  'provider_degraded',
  'backup_failed',
  'heartbeat_missed',
  'reconciliation_drift',
] as const;
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

const ruleSettings = z.object({
  enabled: z.boolean(),
  /** The rule's number: a percentage, a count, days, milliseconds or hours (see `unit`). */
  threshold: z.number().nonnegative(),
  severity: z.enum(SEVERITIES),
  /** After an incident is opened for this rule, a new one is not opened (nor paged) for this long. */
  cooldownMinutes: z.number().nonnegative(),
  /** Rates need a sample: below this many events in the window the rule does not fire. */
  minSample: z.number().int().nonnegative(),
});
export type AlertRuleSettings = z.infer<typeof ruleSettings> & { unit: string; description: string };
export type AlertRules = Record<AlertRuleName, AlertRuleSettings>;

export const DEFAULT_ALERT_RULES: AlertRules = {
  webhook_error_rate: { enabled: true, threshold: 15, unit: '% of webhooks failed in the last hour', severity: 'critical', cooldownMinutes: 30, minSample: 10, description: 'Tasa de error de webhooks excesiva' },
  security_threat: { enabled: true, threshold: 5, unit: 'threats in the last hour', severity: 'critical', cooldownMinutes: 60, minSample: 0, description: 'Múltiples amenazas de seguridad' },
  oauth_expiration: { enabled: true, threshold: 7, unit: 'days before a credential expires', severity: 'medium', cooldownMinutes: 720, minSample: 0, description: 'Credenciales OAuth próximas a expirar' },
  payment_failure_rate: { enabled: true, threshold: 10, unit: '% of payments rejected in the last hour', severity: 'medium', cooldownMinutes: 60, minSample: 10, description: 'Tasa de fallo de pagos elevada' },
  api_response_time: { enabled: true, threshold: 5000, unit: 'ms provider response time', severity: 'medium', cooldownMinutes: 30, minSample: 0, description: 'Tiempo de respuesta API lento' },
  system_overload: { enabled: true, threshold: 100, unit: 'payments per minute (5-minute average)', severity: 'medium', cooldownMinutes: 30, minSample: 0, description: 'Sobrecarga del sistema' },
  database_down: { enabled: true, threshold: 1, unit: 'failed health checks in a row', severity: 'critical', cooldownMinutes: 15, minSample: 0, description: 'MongoDB no responde' },
  temporal_unreachable: { enabled: true, threshold: 3, unit: 'failed pings in a row (30 s apart)', severity: 'critical', cooldownMinutes: 15, minSample: 0, description: 'Temporal no responde' },
  provider_degraded: { enabled: true, threshold: 1000, unit: 'ms before a provider counts as degraded', severity: 'high', cooldownMinutes: 30, minSample: 0, description: 'Proveedor degradado o caído' },
  backup_failed: { enabled: true, threshold: 1, unit: 'failed backup runs', severity: 'critical', cooldownMinutes: 60, minSample: 0, description: 'El respaldo nocturno falló' },
  heartbeat_missed: { enabled: true, threshold: 26, unit: 'hours since the last good backup', severity: 'high', cooldownMinutes: 360, minSample: 0, description: 'El respaldo dejó de reportarse' },
  // Counted by the reconciliation workflow with RECONCILIATION_DRIFT_RUNS (the threshold here documents the default).
  reconciliation_drift: { enabled: true, threshold: 3, unit: 'reconciliation runs in a row that found missing or stale payments (RECONCILIATION_DRIFT_RUNS)', severity: 'high', cooldownMinutes: 60, minSample: 0, description: 'Las notificaciones de MercadoPago parecen rotas' },
};

export const alertRulesSchema = overridesOf(ALERT_RULE_NAMES, ruleSettings, DEFAULT_ALERT_RULES);

/** A JSON environment variable validated by `schema` (the error names what is wrong inside it). */
export const jsonEnv = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
