/**
 * Registering a conversion: validated against its affiliate and campaign, stored once per external
 * id, logged (`conversion_registrada`), and handed to its commission workflow. Used by the API and by
 * the order saga (paid orders that carried an affiliate code).
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { Affiliate } from '../persistence/models/affiliate';
import { Campaign, type CampaignDoc } from '../persistence/models/campaign';
import { Conversion, type ConversionDoc } from '../persistence/models/conversion';
import { insertOnce } from '../persistence/write-patterns';
import type { Currency } from '../../common/money';
import { AffiliateId, CampaignId, CommissionStatus } from '../../contracts/search-attributes';
import { commissionIdOf, commissionLifecycleWorkflow, commissionWorkflowId, conversionRefundedSignal, type CommissionInput } from '../../contracts/commissions';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { appendBusinessEvent } from './business-events';

export interface ConversionInput {
  externalId: string;
  affiliateId: string;
  campaignId: string;
  type: string;
  valueMinor: number;
  currency: Currency;
  channel: string;
  customer?: Record<string, unknown>;
  products?: Record<string, unknown>[];
  metadata?: Record<string, unknown>;
  orderNumber?: string;
}

/** Why a conversion cannot be registered, naming the field (the API answers 422 with it). */
export class ConversionRejected extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const conversionIdFor = (externalId: string) => `conv_${createHash('sha256').update(externalId).digest('hex').slice(0, 20)}`;

const day = 86_400_000;

export function commissionInput(config: Config, c: Pick<ConversionDoc, '_id' | 'affiliateId' | 'campaignId' | 'type' | 'valueMinor' | 'currency'>): CommissionInput {
  return {
    commissionId: commissionIdOf(c._id),
    conversionId: c._id,
    affiliateId: c.affiliateId,
    campaignId: c.campaignId,
    conversionType: c.type,
    baseMinor: c.valueMinor,
    currency: c.currency,
    holdMs: Math.round(config.COMMISSION_HOLD_DAYS * day),
    autoApproveMaxMinor: config.COMMISSION_AUTO_APPROVE_MAX_MINOR,
    reminderAfterMs: Math.round(config.COMMISSION_APPROVAL_REMINDER_HOURS * 3_600_000),
    clawbackWindowMs: Math.round(config.COMMISSION_CLAWBACK_WINDOW_DAYS * day),
  };
}

/** Starts `commission-<conversionId>` unless it exists (a repeat registration is not a second commission). */
export async function startCommission(temporal: Client, config: Config, c: Pick<ConversionDoc, '_id' | 'affiliateId' | 'campaignId' | 'type' | 'valueMinor' | 'currency'>): Promise<void> {
  try {
    await temporal.workflow.start<WorkflowOf<typeof commissionLifecycleWorkflow>>(commissionLifecycleWorkflow.type, {
      taskQueue: commissionLifecycleWorkflow.taskQueue,
      workflowId: commissionWorkflowId(c._id),
      args: [commissionInput(config, c)],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: AffiliateId, value: c.affiliateId },
        { key: CampaignId, value: c.campaignId },
        { key: CommissionStatus, value: 'created' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The campaign is live at `at`: active and within its dates. */
export function campaignProblem(c: Pick<CampaignDoc, 'status' | 'startsAt' | 'endsAt'>, at: Date): string | undefined {
  if (c.status !== 'active') return `campaign is ${c.status}`;
  if (at < c.startsAt) return `campaign starts ${c.startsAt.toISOString()}`;
  if (at > c.endsAt) return `campaign ended ${c.endsAt.toISOString()}`;
  return undefined;
}

export async function registerConversion(temporal: Client, config: Config, input: ConversionInput): Promise<{ conversion: ConversionDoc & { _id: string }; created: boolean }> {
  const _id = conversionIdFor(input.externalId);
  const existing = await Conversion.findById(_id).lean();
  if (existing) {
    await startCommission(temporal, config, existing); // finishes a registration interrupted before its start
    return { conversion: existing, created: false };
  }
  const [affiliate, campaign] = await Promise.all([Affiliate.findById(input.affiliateId).lean(), Campaign.findById(input.campaignId).lean()]);
  if (!affiliate) throw new ConversionRejected('affiliate_id', 'unknown_affiliate', `no affiliate ${input.affiliateId}`);
  if (affiliate.status !== 'active') throw new ConversionRejected('affiliate_id', 'inactive_affiliate', `affiliate ${input.affiliateId} is inactive`);
  if (!campaign) throw new ConversionRejected('campaign_id', 'unknown_campaign', `no campaign ${input.campaignId}`);
  const now = new Date();
  const problem = campaignProblem(campaign, now);
  if (problem) throw new ConversionRejected('campaign_id', 'campaign_not_live', `${input.campaignId}: ${problem}`);
  if (campaign.currency !== input.currency) throw new ConversionRejected('currency', 'currency_mismatch', `campaign ${input.campaignId} pays in ${campaign.currency}, not ${input.currency}`);

  const doc = { _id, ...input, products: input.products ?? [], status: 'registered' as const, createdAt: now };
  if (!(await insertOnce(Conversion, doc))) {
    const raced = (await Conversion.findById(_id).lean())!;
    await startCommission(temporal, config, raced);
    return { conversion: raced, created: false };
  }
  await appendBusinessEvent({
    tipo_evento: 'conversion_registrada',
    entityId: _id,
    conversion_id: _id,
    afiliado_id: input.affiliateId,
    campana_id: input.campaignId,
    datos: { tipo_conversion: input.type, valor_conversion_minor: input.valueMinor, moneda: input.currency, canal_origen: input.channel, ...(input.orderNumber ? { pedido: input.orderNumber } : {}) },
    origen: 'conversiones',
    at: now,
  });
  await startCommission(temporal, config, doc);
  return { conversion: doc as ConversionDoc & { _id: string }, created: true };
}

/** The sale behind a conversion was refunded: its commission is voided (in hold) or clawed back. */
export async function refundConversion(temporal: Client, conversionId: string, reason: string): Promise<'signalled' | 'already_refunded'> {
  const res = await Conversion.updateOne({ _id: conversionId, status: 'registered' }, { $set: { status: 'refunded' } });
  await temporal.workflow.getHandle(commissionWorkflowId(conversionId)).signal(conversionRefundedSignal, { reason });
  return res.modifiedCount === 1 ? 'signalled' : 'already_refunded';
}
