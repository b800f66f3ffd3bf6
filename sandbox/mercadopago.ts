/**
 * MercadoPago's REST contract (../shared/providers.md): payments (GET, search), checkout
 * preferences, refunds (create, list, get), chargebacks (GET), Bearer auth, mandatory
 * X-Idempotency-Key on creation, errors in MercadoPago's shape. The money story behind the
 * payments (refunds from the panel, chargebacks, mediations) is in ./mercadopago-money.ts.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { recordAndInjectFaults } from './faults';
import { COLLECTOR_ID, applyRefund, fromCents, isCents, remainingCents, toCents, touch } from './mercadopago-money';
import { parseSearch, searchPayments } from './mercadopago-search';
import type { SandboxState } from './state';
import { mpError } from './mercadopago-errors';

export { COLLECTOR_ID };

const send = (res: Response, status: number, message: string, error?: string) => res.status(status).json(mpError(status, message, error));
const paymentNotFound = (res: Response) => res.status(404).json(mpError(404, 'Payment not found', 'not_found', [{ code: 2000, description: 'Payment not found' }]));

export function mercadoPagoRouter(state: SandboxState, opts: { accessToken: string }) {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.use(recordAndInjectFaults(state, 'mercadopago', (s, m) => mpError(s, m)));
  router.use((req, res, next) => {
    if (req.headers.authorization !== `Bearer ${opts.accessToken}`) {
      send(res, 401, 'invalid access token', 'unauthorized');
      return;
    }
    next();
  });

  // The account's payment methods (a cheap authenticated read: the health monitor's probe).
  router.get('/v1/payment_methods', (_req, res) => {
    res.json([
      { id: 'visa', name: 'Visa', payment_type_id: 'credit_card', status: 'active' },
      { id: 'master', name: 'Mastercard', payment_type_id: 'credit_card', status: 'active' },
      { id: 'account_money', name: 'Dinero en cuenta', payment_type_id: 'account_money', status: 'active' },
    ]);
  });

  router.get('/v1/payments/search', (req, res) => {
    const parsed = parseSearch(req.query as Record<string, unknown>);
    if ('error' in parsed) {
      res.status(400).json(parsed.error);
      return;
    }
    res.json(searchPayments(state, parsed.params));
  });

  router.get('/v1/payments/:id', (req, res) => {
    const p = state.payments.get(req.params.id);
    if (!p) {
      paymentNotFound(res);
      return;
    }
    res.json(p);
  });

  router.get('/v1/payments/:id/refunds', (req, res) => {
    const p = state.payments.get(req.params.id);
    if (!p) {
      paymentNotFound(res);
      return;
    }
    res.json(p.refunds ?? []);
  });

  router.get('/v1/payments/:id/refunds/:refundId', (req, res) => {
    const p = state.payments.get(req.params.id);
    if (!p) {
      paymentNotFound(res);
      return;
    }
    const refund = (p.refunds ?? []).find((r: { id: number }) => String(r.id) === req.params.refundId);
    if (!refund) {
      res.status(404).json(mpError(404, 'Refund not found', 'not_found', [{ code: 2032, description: 'Refund not found' }]));
      return;
    }
    res.json(refund);
  });

  router.get('/v1/chargebacks/:id', (req, res) => {
    const c = state.chargebacks.get(req.params.id);
    if (!c) {
      send(res, 404, 'chargeback not found', 'not_found');
      return;
    }
    res.json(c);
  });

  router.post('/checkout/preferences', (req, res) => {
    const body = req.body ?? {};
    const key = req.headers['x-idempotency-key'];
    const replay = typeof key === 'string' ? state.preferenceKeys.get(key) : undefined;
    if (replay) {
      res.status(201).json(replay);
      return;
    }
    if (!Array.isArray(body.items) || body.items.length === 0) {
      res.status(400).json(mpError(400, 'items needed', 'invalid_items', [{ code: 4001, description: 'items needed' }]));
      return;
    }
    for (const item of body.items) {
      if (typeof item.unit_price !== 'number' || typeof item.quantity !== 'number' || item.quantity <= 0 || !item.title) {
        res.status(400).json(mpError(400, 'invalid item', 'invalid_items', [{ code: 4002, description: 'each item needs title, quantity > 0 and a numeric unit_price' }]));
        return;
      }
    }
    const id = `${COLLECTOR_ID}-${randomUUID()}`;
    const pref = {
      ...body,
      id,
      collector_id: COLLECTOR_ID,
      init_point: `https://www.mercadopago.com/checkout/v1/redirect?pref_id=${id}`,
      sandbox_init_point: `https://sandbox.mercadopago.com/checkout/v1/redirect?pref_id=${id}`,
      date_created: new Date().toISOString(),
    };
    state.preferences.set(id, pref);
    if (typeof key === 'string' && key) state.preferenceKeys.set(key, pref);
    res.status(201).json(pref);
  });

  // Our own refunds: full without `amount`, partial with it; the refund's source is the collector.
  router.post('/v1/payments/:id/refunds', (req, res) => {
    const key = req.headers['x-idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) {
      res.status(400).json(mpError(400, 'Header X-Idempotency-Key can\'t be null', 'bad_request', [{ code: 4292, description: 'Header-X-Idempotency-Key-can\'t-be-null' }]));
      return;
    }
    const existing = state.refunds.get(key);
    if (existing) {
      if (existing.payment_id !== Number(req.params.id)) {
        send(res, 409, 'idempotency key already used for another resource', 'conflict');
        return;
      }
      res.status(201).json(existing);
      return;
    }
    const p = state.payments.get(req.params.id);
    if (!p) {
      paymentNotFound(res);
      return;
    }
    if (p.status !== 'approved') {
      res.status(400).json(mpError(400, `payment in status ${p.status} cannot be refunded`, 'bad_request', [{ code: 2063, description: 'The action requested is not valid for the current payment state' }]));
      return;
    }
    const raw = req.body?.amount;
    let cents = remainingCents(p);
    if (raw !== undefined && raw !== null) {
      const amount = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(amount)) {
        res.status(400).json(mpError(400, 'amount attribute must be numeric', 'bad_request', [{ code: 4041, description: 'amount-attribute-must-be-numeric' }]));
        return;
      }
      if (!(amount > 0)) {
        res.status(400).json(mpError(400, 'amount attribute must be positive', 'bad_request', [{ code: 4040, description: 'amount-attribute-must-be-positive' }]));
        return;
      }
      if (!isCents(amount) || toCents(amount) > cents) {
        send(res, 400, `invalid refund amount ${raw}`, 'invalid_amount');
        return;
      }
      cents = toCents(amount);
    }
    const refund = applyRefund(state, p, cents, 'collector');
    state.refunds.set(key, refund);
    res.status(201).json(refund);
  });

  router.use((req, res) => send(res, 404, `resource ${req.method} ${req.path} not found`));
  return router;
}

/**
 * A payment in MercadoPago's GET /v1/payments/{id} shape. Amounts are rounded to the cent.
 * Optional inputs beyond the resource's own fields: `date_created` (back-date it, ISO),
 * `fee_amount` (MercadoPago's fee: net_received_amount is the amount less it),
 * `money_release_days` (days from approval until the money is released; default 0).
 */
export function newPayment(state: SandboxState, input: Record<string, any>) {
  const created = typeof input.date_created === 'string' && !Number.isNaN(Date.parse(input.date_created)) ? new Date(input.date_created).toISOString() : new Date().toISOString();
  const status = input.status ?? 'pending';
  const id = input.id ?? state.nextId();
  const amountCents = Math.round(Number(input.transaction_amount ?? 100) * 100);
  const feeCents = Math.round(Number(input.fee_amount ?? 0) * 100);
  const approved = status === 'approved' ? created : null;
  const releaseDays = Number(input.money_release_days ?? 0);
  const payment = {
    id,
    status,
    status_detail: input.status_detail ?? (status === 'approved' ? 'accredited' : status === 'rejected' ? 'cc_rejected_other_reason' : 'pending_waiting_payment'),
    operation_type: 'regular_payment',
    transaction_amount: fromCents(amountCents),
    transaction_amount_refunded: 0,
    currency_id: input.currency_id ?? 'ARS',
    external_reference: input.external_reference ?? null,
    description: input.description ?? 'pagos-flow sandbox payment',
    payer: {
      id: input.payer?.id ?? String(state.nextId()),
      email: input.payer?.email ?? 'comprador@example.com',
      first_name: input.payer?.first_name ?? 'Ana',
      last_name: input.payer?.last_name ?? 'García',
      identification: input.payer?.identification ?? { type: 'DNI', number: '12345678' },
    },
    date_created: created,
    date_approved: approved,
    date_last_updated: created,
    money_release_date: approved ? new Date(Date.parse(approved) + releaseDays * 86_400_000).toISOString() : null,
    metadata: input.metadata ?? {},
    live_mode: false,
    payment_method_id: input.payment_method_id ?? 'visa',
    payment_type_id: input.payment_type_id ?? 'credit_card',
    installments: 1,
    captured: true,
    order: input.order ?? null,
    collector_id: COLLECTOR_ID,
    notification_url: input.notification_url ?? null,
    transaction_details: {
      net_received_amount: fromCents(amountCents - feeCents),
      total_paid_amount: fromCents(amountCents),
      overpaid_amount: 0,
      installment_amount: fromCents(amountCents),
    },
    fee_details: feeCents > 0 ? [{ type: 'mercadopago_fee', amount: fromCents(feeCents), fee_payer: 'collector' }] : [],
    refunds: [],
  };
  state.payments.set(String(id), payment);
  return payment;
}

/** Moves a payment to a new status, as MercadoPago would (date_last_updated always advances). */
export function updatePayment(state: SandboxState, id: string, input: { status: string; status_detail?: string }) {
  const p = state.payments.get(id);
  if (!p) return undefined;
  const now = touch(p);
  p.status = input.status;
  p.status_detail = input.status_detail ?? (input.status === 'approved' ? 'accredited' : input.status);
  if (input.status === 'approved' && !p.date_approved) {
    p.date_approved = now;
    p.money_release_date = now;
  }
  return p;
}
