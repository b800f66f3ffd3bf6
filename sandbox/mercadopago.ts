/**
 * MercadoPago's REST contract (../shared/providers.md): payments, checkout preferences, refunds,
 * Bearer auth, mandatory X-Idempotency-Key on creation, errors in MercadoPago's shape.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { recordAndInjectFaults } from './faults';
import type { SandboxState } from './state';

export const COLLECTOR_ID = 123456789;

export function mpError(status: number, message: string, error = defaultErrorCode(status), cause: { code: number; description: string }[] = []) {
  return { message, error, status, cause };
}
function defaultErrorCode(status: number) {
  return ({ 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'unprocessable_entity', 423: 'locked', 429: 'too_many_requests' } as Record<number, string>)[status] ?? 'internal_error';
}
const send = (res: Response, status: number, message: string, error?: string) => res.status(status).json(mpError(status, message, error));

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

  router.get('/v1/payments/:id', (req, res) => {
    const p = state.payments.get(req.params.id);
    if (!p) {
      res.status(404).json(mpError(404, 'Payment not found', 'not_found', [{ code: 2000, description: 'Payment not found' }]));
      return;
    }
    res.json(p);
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

  router.post('/v1/payments/:id/refunds', (req, res) => {
    const key = req.headers['x-idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) {
      send(res, 400, 'X-Idempotency-Key header is required');
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
      res.status(404).json(mpError(404, 'Payment not found', 'not_found', [{ code: 2000, description: 'Payment not found' }]));
      return;
    }
    if (p.status !== 'approved') {
      send(res, 400, `payment in status ${p.status} cannot be refunded`, 'invalid_status');
      return;
    }
    const remaining = Math.round((p.transaction_amount - (p.transaction_amount_refunded ?? 0)) * 100) / 100;
    const amount = req.body?.amount === undefined ? remaining : Number(req.body.amount);
    if (!(amount > 0) || amount > remaining) {
      send(res, 400, `invalid refund amount ${req.body?.amount}`, 'invalid_amount');
      return;
    }
    const now = new Date().toISOString();
    const refund = { id: state.nextId(), payment_id: p.id, amount, status: 'approved', date_created: now, unique_sequence_number: null };
    state.refunds.set(key, refund);
    p.transaction_amount_refunded = Math.round(((p.transaction_amount_refunded ?? 0) + amount) * 100) / 100;
    p.refunds = [...(p.refunds ?? []), refund];
    const full = p.transaction_amount_refunded >= p.transaction_amount;
    p.status = full ? 'refunded' : 'approved';
    p.status_detail = full ? 'refunded' : 'partially_refunded';
    p.date_last_updated = now;
    res.status(201).json(refund);
  });

  router.use((req, res) => send(res, 404, `resource ${req.method} ${req.path} not found`));
  return router;
}

/** A payment in MercadoPago's GET /v1/payments/{id} shape. */
export function newPayment(state: SandboxState, input: Record<string, any>) {
  const now = new Date().toISOString();
  const status = input.status ?? 'pending';
  const id = input.id ?? state.nextId();
  const payment = {
    id,
    status,
    status_detail: input.status_detail ?? (status === 'approved' ? 'accredited' : status === 'rejected' ? 'cc_rejected_other_reason' : 'pending_waiting_payment'),
    transaction_amount: input.transaction_amount ?? 100,
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
    date_created: now,
    date_approved: status === 'approved' ? now : null,
    date_last_updated: now,
    metadata: input.metadata ?? {},
    live_mode: false,
    payment_method_id: input.payment_method_id ?? 'visa',
    payment_type_id: input.payment_type_id ?? 'credit_card',
    order: input.order ?? null,
    collector_id: COLLECTOR_ID,
    refunds: [],
  };
  state.payments.set(String(id), payment);
  return payment;
}

/** Moves a payment to a new status, as MercadoPago would (date_last_updated always advances). */
export function updatePayment(state: SandboxState, id: string, input: { status: string; status_detail?: string }) {
  const p = state.payments.get(id);
  if (!p) return undefined;
  const prev = Date.parse(p.date_last_updated);
  const now = new Date(Math.max(Date.now(), prev + 1)).toISOString();
  p.status = input.status;
  p.status_detail = input.status_detail ?? (input.status === 'approved' ? 'accredited' : input.status);
  if (input.status === 'approved' && !p.date_approved) p.date_approved = now;
  p.date_last_updated = now;
  return p;
}
