/**
 * The money story of a sandbox MercadoPago payment: refunds (ours through the API, or the
 * seller's / MercadoPago's from the panel), chargebacks and mediations, as MercadoPago reports
 * them on GET /v1/payments/{id}. Amounts are decimals on the wire (as MercadoPago sends them) but
 * every sum and comparison here is in integer cents, so 0.1 + 0.2 never drifts.
 */
import type { SandboxState } from './state';

export const COLLECTOR_ID = 123456789;
export const COLLECTOR_NAME = 'Vendedor Sandbox';

/** Integer cents of a decimal amount (amounts are validated to at most 2 decimals first). */
export const toCents = (amount: number) => Math.round(amount * 100);
export const fromCents = (cents: number) => cents / 100;
/** True when `amount` has no more than 2 decimals (a cent is the smallest unit). */
export const isCents = (amount: number) => Number.isFinite(amount) && Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;

/** Advances `date_last_updated` (always strictly later than before, even within one millisecond). */
export function touch(p: Record<string, any>): string {
  const prev = Date.parse(p.date_last_updated ?? '');
  const now = new Date(Math.max(Date.now(), Number.isNaN(prev) ? 0 : prev + 1)).toISOString();
  p.date_last_updated = now;
  return now;
}

export function refundedCents(p: Record<string, any>): number {
  return (p.refunds ?? []).filter((r: { status: string }) => r.status === 'approved').reduce((sum: number, r: { amount: number }) => sum + toCents(r.amount), 0);
}
export function remainingCents(p: Record<string, any>): number {
  return toCents(p.transaction_amount) - refundedCents(p);
}

/**
 * Who made the refund, as MercadoPago reports it in `source`: `collector` is the seller (through
 * the API or the panel: MercadoPago's examples show `collector` for both), `admin` is MercadoPago
 * itself (the payment then ends `refunded` / `by_admin`).
 */
export type RefundSourceType = 'collector' | 'admin';

function refundSource(type: RefundSourceType) {
  return type === 'admin' ? { id: '1', name: 'Mercado Pago', type: 'admin' } : { id: String(COLLECTOR_ID), name: COLLECTOR_NAME, type: 'collector' };
}

/** Statuses a refund can be made from (the API accepts only `approved`). */
export const REFUNDABLE = new Set(['approved', 'in_mediation']);

/**
 * Books a refund of `cents` on the payment (caller checked 0 < cents <= remaining): a refund
 * resource with its own id in `refunds[]`, `transaction_amount_refunded` summed in cents, and
 * the status MercadoPago shows: `approved`/`partially_refunded` while money remains,
 * `refunded`/`refunded` (or `by_admin`) once all of it went back.
 */
export function applyRefund(state: SandboxState, p: Record<string, any>, cents: number, sourceType: RefundSourceType) {
  const now = touch(p);
  const amount = fromCents(cents);
  const refund = {
    id: state.nextId(),
    payment_id: p.id,
    amount,
    metadata: {},
    source: refundSource(sourceType),
    date_created: now,
    expiration_date: null,
    unique_sequence_number: null,
    refund_mode: 'standard',
    adjustment_amount: 0,
    status: 'approved',
    reason: null,
    labels: [],
    amount_refunded_to_payer: amount,
    additional_data: null,
    partition_details: [],
  };
  p.refunds = [...(p.refunds ?? []), refund];
  p.transaction_amount_refunded = fromCents(refundedCents(p));
  if (remainingCents(p) === 0) {
    p.status = 'refunded';
    p.status_detail = sourceType === 'admin' ? 'by_admin' : 'refunded';
  } else if (p.status === 'approved') {
    p.status_detail = 'partially_refunded';
  }
  return refund;
}

/** Statuses a chargeback can hit (money that was collected). */
export const CHARGEABLE = new Set(['approved', 'in_mediation']);

/**
 * The payer disowns the payment at the card issuer: a chargeback case (GET /v1/chargebacks/{id})
 * and the payment `charged_back` / `in_process` until the case is resolved.
 */
export function openChargeback(state: SandboxState, p: Record<string, any>, cents: number) {
  const now = touch(p);
  const id = String(state.nextId());
  const chargeback = {
    id,
    payments: [p.id],
    currency: p.currency_id,
    amount: fromCents(cents),
    reason: 'general',
    coverage_applied: null as boolean | null,
    coverage_elegible: true,
    documentation_required: true,
    documentation_status: 'pending',
    documentation: [],
    date_documentation_deadline: new Date(Date.parse(now) + 10 * 86_400_000).toISOString(),
    date_created: now,
    date_last_updated: now,
    live_mode: false,
  };
  state.chargebacks.set(id, chargeback);
  p.status = 'charged_back';
  p.status_detail = 'in_process';
  return chargeback;
}

/**
 * The case ends: `settled` (the money stays with the payer: the seller lost it) or `reimbursed`
 * (the money came back to the seller: coverage applied). The payment stays `charged_back`.
 */
export function resolveChargeback(state: SandboxState, chargeback: Record<string, any>, resolution: 'settled' | 'reimbursed') {
  const p = state.payments.get(String(chargeback.payments[0]));
  const now = p ? touch(p) : new Date().toISOString();
  chargeback.coverage_applied = resolution === 'reimbursed';
  chargeback.documentation_status = resolution === 'reimbursed' ? 'valid' : 'invalid';
  chargeback.date_last_updated = new Date(Math.max(Date.parse(now), Date.parse(chargeback.date_last_updated) + 1)).toISOString();
  if (p) p.status_detail = resolution;
  return { chargeback, payment: p };
}

/** The buyer opens a dispute (a claim taken to mediation): the payment shows `in_mediation`. */
export function openMediation(p: Record<string, any>) {
  touch(p);
  p.status = 'in_mediation';
  p.status_detail = 'in_mediation';
  return p;
}

/**
 * The mediation ends: for the seller the payment is approved again (partially_refunded if some
 * money already went back); for the buyer MercadoPago refunds what remains (`refunded`/`by_admin`).
 */
export function resolveMediation(state: SandboxState, p: Record<string, any>, winner: 'seller' | 'buyer') {
  if (winner === 'buyer') {
    const cents = remainingCents(p);
    if (cents > 0) return { payment: p, refund: applyRefund(state, p, cents, 'admin') };
    touch(p);
    p.status = 'refunded';
    p.status_detail = 'by_admin';
    return { payment: p, refund: null };
  }
  touch(p);
  p.status = 'approved';
  p.status_detail = refundedCents(p) > 0 ? 'partially_refunded' : 'accredited';
  return { payment: p, refund: null };
}
