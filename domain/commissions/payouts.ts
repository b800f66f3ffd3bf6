import { stringify } from 'csv-stringify/sync';
import { Affiliate } from '../persistence/models/affiliate';
import { Commission, LedgerEntry, Payout, PayoutBatch } from '../persistence/models/commission';
import { insertOnce } from '../persistence/write-patterns';
import { formatMinorUnits, isCurrency } from '../../common/money';
import type { PayoutBatchResult } from '../../contracts/commissions';
import { appendBusinessEvent } from './business-events';


export const CSV_COLUMNS = ['payout_id', 'period', 'affiliate_id', 'affiliate_name', 'affiliate_email', 'currency', 'amount', 'amount_minor', 'entries', 'account', 'status'];

/** The period's payouts as CSV (csv-stringify): what to pay, one line per affiliate and currency. */
export async function payoutCsv(period: string): Promise<{ csv: string; rows: number }> {
  const payouts = await Payout.find({ period }).sort({ _id: 1 }).lean();
  const affiliates = new Map((await Affiliate.find({ _id: { $in: payouts.map((p) => p.affiliateId) } }).lean()).map((a) => [a._id, a]));
  const rows = payouts.map((p) => {
    const a = affiliates.get(p.affiliateId);
    return [
      p._id,
      p.period,
      p.affiliateId,
      a?.name ?? '',
      a?.email ?? '',
      p.currency,
      isCurrency(p.currency) ? formatMinorUnits(p.amountMinor, p.currency) : String(p.amountMinor),
      p.amountMinor,
      p.entries.length,
      a?.bankLast4 ? `******${a.bankLast4}` : '',
      p.status,
    ];
  });
  return { csv: stringify(rows, { header: true, columns: CSV_COLUMNS }), rows: rows.length };
}

/**
 * The monthly batch: unpaid ledger entries (payables and clawbacks) summed per affiliate and
 * currency; where the balance reaches the affiliate's minimum, a payout `po_<period>_<affiliate>_<cur>`
 * takes those entries. Rerunning a period is safe: an existing payout is completed, not repeated.
 */
export async function runPayoutBatch(input: { period: string }): Promise<PayoutBatchResult> {
  const { period } = input;
  // A payout created by an interrupted run: make sure its entries are marked.
  for (const p of await Payout.find({ period }).lean()) {
    await LedgerEntry.updateMany({ _id: { $in: p.entries }, payoutId: null }, { $set: { payoutId: p._id } });
  }
  const unpaid = await LedgerEntry.find({ payoutId: null }).lean();
  const balances = new Map<string, { affiliateId: string; currency: string; amountMinor: number; entries: string[] }>();
  for (const e of unpaid) {
    const key = `${e.affiliateId}|${e.currency}`;
    const b = balances.get(key) ?? { affiliateId: e.affiliateId, currency: e.currency, amountMinor: 0, entries: [] };
    b.amountMinor += e.amountMinor;
    b.entries.push(e._id);
    balances.set(key, b);
  }
  const affiliates = new Map((await Affiliate.find({ _id: { $in: [...new Set(unpaid.map((e) => e.affiliateId))] } }).lean()).map((a) => [a._id, a]));
  const result: PayoutBatchResult = { period, payouts: [], below_minimum: [], csvRows: 0 };
  for (const b of balances.values()) {
    const affiliate = affiliates.get(b.affiliateId);
    // The minimum is in the affiliate's own currency; balances in other currencies pay when positive.
    const minimum = affiliate?.currency === b.currency ? (affiliate.commission?.minimumPayoutMinor ?? 0) : 0;
    if (b.amountMinor <= 0 || b.amountMinor < minimum) {
      result.below_minimum.push({ affiliateId: b.affiliateId, balanceMinor: b.amountMinor, currency: b.currency, minimumMinor: minimum });
      continue;
    }
    const payoutId = `po_${period}_${b.affiliateId}_${b.currency}`;
    if (!(await insertOnce(Payout, { _id: payoutId, period, affiliateId: b.affiliateId, amountMinor: b.amountMinor, currency: b.currency, entries: b.entries, status: 'pending', createdAt: new Date() }))) {
      continue; // this period already paid this affiliate; later entries wait for the next batch
    }
    await LedgerEntry.updateMany({ _id: { $in: b.entries }, payoutId: null }, { $set: { payoutId } });
    const commissionIds = b.entries.filter((id) => id.endsWith(':payable')).map((id) => id.slice(0, -':payable'.length));
    await Commission.updateMany({ _id: { $in: commissionIds } }, { $set: { payoutId } });
    await appendBusinessEvent({ tipo_evento: 'pago_generado', entityId: payoutId, afiliado_id: b.affiliateId, datos: { periodo: period, monto_minor: b.amountMinor, moneda: b.currency, entradas: b.entries.length }, origen: 'comisiones' });
    result.payouts.push({ payoutId, affiliateId: b.affiliateId, amountMinor: b.amountMinor, currency: b.currency });
  }
  const { csv, rows } = await payoutCsv(period);
  const all = await Payout.find({ period }, { _id: 1 }).lean();
  await PayoutBatch.updateOne({ _id: `batch-${period}` }, { $set: { period, payouts: all.map((p) => p._id), csv, createdAt: new Date() } }, { upsert: true });
  result.csvRows = rows;
  return result;
}
