/**
 * Commission arithmetic in integer minor units and basis points (1 % = 100 bps): no floats touch
 * money. Rounding is half-up to the minor unit, once, on the final amount.
 */

/** "15", 15, "15.25" → 1500, 1500, 1525 (at most two decimals of a percent). */
export function percentToBps(percent: number | string): number {
  const text = typeof percent === 'number' ? String(percent) : percent.trim();
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new RangeError(`"${percent}" is not a percentage with at most 2 decimals`);
  const bps = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0') || '0');
  if (bps > 10_000) throw new RangeError(`${percent} % is more than 100 %`);
  return bps;
}

export const bpsToPercent = (bps: number) => bps / 100;

/** value × bps / 10 000, rounded half-up, in minor units. Exact for values up to ~9·10^11. */
export function applyBps(valueMinor: number, bps: number): number {
  return Math.floor((valueMinor * bps + 5_000) / 10_000);
}

export interface RateInputs {
  conversionType: string;
  tier: 'base' | 'premium';
  affiliate: { baseBps: number; premiumBps: number };
  campaign: { conversionBps?: number | null; saleBps?: number | null; bonusBps?: number | null; bonusTarget?: number | null; capMinor?: number | null };
  /** Commissions the affiliate already earned in this campaign (for the bonus target). */
  earnedInCampaign: number;
}

/**
 * The rate: the campaign's rate for the conversion type (sale vs other conversions) when it sets
 * one, else the affiliate's rate for their tier; plus the campaign bonus once the affiliate reached
 * its target; the campaign's cap per conversion last.
 */
export function commissionFor(baseMinor: number, r: RateInputs) {
  const isSale = r.conversionType === 'venta' || r.conversionType === 'sale';
  const campaignBps = isSale ? r.campaign.saleBps : r.campaign.conversionBps;
  const rateBps = campaignBps ?? (r.tier === 'premium' ? r.affiliate.premiumBps : r.affiliate.baseBps);
  const bonusBps = r.campaign.bonusBps && r.campaign.bonusTarget !== undefined && r.campaign.bonusTarget !== null && r.earnedInCampaign >= r.campaign.bonusTarget ? r.campaign.bonusBps : 0;
  const raw = applyBps(baseMinor, rateBps + bonusBps);
  const cap = r.campaign.capMinor ?? undefined;
  const capped = cap !== undefined && raw > cap;
  return { amountMinor: capped ? cap : raw, rateBps, bonusBps, capped };
}
