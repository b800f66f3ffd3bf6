/**
 * Which failures belong together. One outage fails many executions at the same step: each one's
 * alert joins the incident of its group (one page per channel and level, a count and the list of
 * affected executions) instead of opening its own. When the dependency behind the step already
 * has its `dependency-down:<name>` incident open, the failure attaches to that one instead.
 * Pure, so it is tested on its own.
 */
import type { AlertToRaise } from '../../contracts/ops';
import { dependencyAlertKeys } from './health-rules';

/**
 * The probed dependency each business step talks to (by the step's name, before any `:<detail>`).
 * Steps of unprobed systems (SMTP's sendOrderEmail) have no down-incident to attach to.
 */
const STEP_DEPENDENCY: Record<string, string> = {
  fetchPayment: 'mercadopago',
  fetchChargeback: 'mercadopago',
  refundPayment: 'mercadopago',
  savePayment: 'mongodb',
  restockItems: 'mongodb',
  recordAffiliateAttribution: 'mongodb',
  voidAffiliateAttribution: 'mongodb',
  upsertCrmContact: 'gohighlevel',
  tagCrmContact: 'gohighlevel',
  syncOrderOpportunity: 'gohighlevel',
};

/** Rules whose alerts are one execution's failed step, and the process they belong to. */
const GROUPED_RULES: Record<string, { prefix: string; process: string }> = {
  webhook_processing_failed: { prefix: 'webhook-failed:mercadopago', process: 'MercadoPago webhooks' },
  order_step_failed: { prefix: 'order-step-failed', process: 'Orders' },
};

export interface AlertGroup {
  /** The grouped incident's dedup key, e.g. `webhook-failed:mercadopago:upsertCrmContact`. */
  key: string;
  title: string;
  step: string;
  /** The dependency whose open down-incident explains the failure, when there is one to look for. */
  dependency?: string;
  dependencyIncidentKey?: string;
}

export function alertGroupOf(a: Pick<AlertToRaise, 'rule' | 'details'>): AlertGroup | undefined {
  const rule = GROUPED_RULES[a.rule];
  const rawStep = a.details?.step;
  if (!rule || typeof rawStep !== 'string' || rawStep === '') return undefined;
  const step = rawStep.split(':')[0];
  const dependency = STEP_DEPENDENCY[step];
  return {
    key: `${rule.prefix}:${step}`,
    title: `${rule.process} failing at ${step}`,
    step,
    ...(dependency ? { dependency, dependencyIncidentKey: dependencyAlertKeys(dependency).down } : {}),
  };
}
