import { Affiliate } from '../persistence/models/affiliate';
import { Campaign } from '../persistence/models/campaign';
import { Commission, LedgerEntry } from '../persistence/models/commission';
import type { CommissionCalculation, CommissionView } from '../../contracts/commissions';
import { commissionFor } from './rates';
import { appendBusinessEvent } from './business-events';
import { insertOnce, writeByRevision } from '../persistence/write-patterns';

async function writeCommission(view: CommissionView): Promise<void> {
  const { commissionId, revision, createdAt, updatedAt, calculation, holdUntil, ...rest } = view;
  await writeByRevision(Commission, commissionId, revision, {
    ...rest,
    ...(calculation ? { amountMinor: calculation.amountMinor, rateBps: calculation.rateBps, bonusBps: calculation.bonusBps, capped: calculation.capped } : {}),
    ...(holdUntil ? { holdUntil: new Date(holdUntil) } : {}),
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
  });
}

async function logCommissionEvent(input: { tipo: string; view: CommissionView }): Promise<void> {
  const v = input.view;
  await appendBusinessEvent({
    tipo_evento: input.tipo,
    entityId: v.commissionId,
    comision_id: v.commissionId,
    conversion_id: v.conversionId,
    afiliado_id: v.affiliateId,
    campana_id: v.campaignId,
    datos: {
      estado: v.status,
      monto_base_minor: v.baseMinor,
      ...(v.calculation ? { monto_calculado_minor: v.calculation.amountMinor, porcentaje: v.calculation.rateBps / 100, bonus_porcentaje: v.calculation.bonusBps / 100 } : {}),
      moneda: v.currency,
      tipo_comision: 'porcentual',
      ...(v.decision ? { aprobacion: v.decision } : {}),
      ...(v.refund ? { reembolso: v.refund } : {}),
    },
    origen: 'comisiones',
  });
}

/** The commission workflow's records: projection, event log, rates read at calculation, ledger. */
export function commissionStore() {
  return {
    /** One transition: the projection, then its event-log entry (both idempotent). */
    async recordCommissionTransition(input: { tipo: string; view: CommissionView }): Promise<void> {
      await writeCommission(input.view);
      await logCommissionEvent(input);
    },

    /** Rates from the affiliate's tier and the campaign's config, read now (the result is kept in history). */
    async calculateCommission(input: { commissionId: string; affiliateId: string; campaignId: string; conversionType: string; baseMinor: number }): Promise<CommissionCalculation> {
      const [affiliate, campaign] = await Promise.all([Affiliate.findById(input.affiliateId).lean(), Campaign.findById(input.campaignId).lean()]);
      if (!affiliate || !campaign) throw new Error(`affiliate ${input.affiliateId} or campaign ${input.campaignId} vanished`);
      // Counting is a scan on FerretDB: only campaigns with a bonus target need it.
      const earnedInCampaign = campaign.commission?.bonusBps
        ? await Commission.countDocuments({ affiliateId: input.affiliateId, campaignId: input.campaignId, status: { $in: ['approved', 'payable', 'paid'] } })
        : 0;
      return commissionFor(input.baseMinor, {
        conversionType: input.conversionType,
        tier: affiliate.tier as 'base' | 'premium',
        affiliate: affiliate.commission!,
        campaign: campaign.commission ?? {},
        earnedInCampaign,
      });
    },

    /** One ledger entry per commission and kind: a retry finds it there. */
    async appendLedgerEntry(input: { commissionId: string; affiliateId: string; campaignId: string; kind: 'payable' | 'clawback'; amountMinor: number; currency: string }): Promise<void> {
      await insertOnce(LedgerEntry, { _id: `${input.commissionId}:${input.kind}`, ...input, payoutId: null, at: new Date() });
    },
  };
}
