/**
 * A payment's money story from MercadoPago's record: what was collected, each refund (ours or
 * made outside us), what a chargeback took back, and what stays with us — in integer minor units.
 * Pure: the payment store and the tests use it.
 */
import type { PaymentSnapshot } from '../../contracts/webhooks';
import { sumMinor } from '../../common/money';
import { toMinor } from './minor-units';

/** Statuses of a payment whose money reached us at some point (a refund or chargeback came after). */
export const COLLECTED_STATUSES: ReadonlySet<string> = new Set(['approved', 'refunded', 'charged_back', 'in_mediation']);

export const wasCollected = (p: Pick<PaymentSnapshot, 'status'>) => COLLECTED_STATUSES.has(p.status);

export interface MoneyStory {
  amountMinor: number;
  collectedMinor: number;
  refundedMinor: number;
  chargedBackMinor: number;
  /** A chargeback MercadoPago decided for the seller (`charged_back` / `reimbursed`): the money came back. */
  reimbursed: boolean;
  netMinor: number;
  refunds: { refundId: string; amount: number; amountMinor: number; dateCreated?: string; sourceType?: string; status?: string; initiatedBy: 'pagos-flow' | 'outside' }[];
}

export function moneyStory(p: PaymentSnapshot, ourRefundIds: ReadonlySet<string>): MoneyStory {
  const amountMinor = toMinor(p.amount, p.currency);
  // Only refunds that went through count (MercadoPago lists rejected or cancelled ones too).
  const refunds = (p.refunds ?? [])
    .filter((r) => !r.status || r.status === 'approved')
    .map((r) => ({ ...r, amountMinor: toMinor(r.amount, p.currency), initiatedBy: ourRefundIds.has(r.refundId) ? ('pagos-flow' as const) : ('outside' as const) }));
  const refundedMinor = refunds.length > 0 ? sumMinor(refunds.map((r) => r.amountMinor)) : toMinor(p.amountRefunded ?? 0, p.currency);
  const collectedMinor = wasCollected(p) ? amountMinor : 0;
  const reimbursed = p.status === 'charged_back' && p.statusDetail === 'reimbursed';
  const chargedBackMinor = p.status === 'charged_back' && !reimbursed ? Math.max(0, collectedMinor - refundedMinor) : 0;
  return { amountMinor, collectedMinor, refundedMinor, chargedBackMinor, reimbursed, netMinor: collectedMinor - refundedMinor - chargedBackMinor, refunds };
}
