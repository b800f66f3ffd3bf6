/**
 * The sandbox's own admin API (/__admin), for dev and tests: create payments and change their
 * status, inject faults, send webhooks signed exactly as MercadoPago signs them, and read the
 * provider call log, and what the Slack, SMS (Twilio) and mail sinks received.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { newPayment, updatePayment } from './mercadopago';
import { CHARGEABLE, REFUNDABLE, applyRefund, isCents, openChargeback, openMediation, remainingCents, resolveChargeback, resolveMediation, toCents } from './mercadopago-money';
import { notifyChargeback, notifyPayment } from './notifications';
import type { NotificationRecord, SandboxState } from './state';

const faultSchema = z.object({
  provider: z.enum(['mercadopago', 'gohighlevel', 'slack', 'twilio']),
  path: z.string().optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
  kind: z.enum(['error', 'rate-limit', 'hang', 'delay']).default('error'),
  delayMs: z.number().int().min(0).max(120_000).optional(),
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** -1: every matching call until cleared */
  count: z.number().int().min(-1).default(1),
});

const sendWebhookSchema = z.object({
  url: z.url(),
  paymentId: z.string().min(1),
  action: z.string().default('payment.updated'),
  notificationId: z.number().int().positive().optional(),
  /** Sign with another secret (to test rejection). */
  secret: z.string().optional(),
  /** Unix timestamp for the signature, seconds or ms. */
  ts: z.number().int().optional(),
});

const payPreferenceSchema = z.object({
  status: z.enum(['approved', 'rejected', 'pending', 'in_process', 'cancelled']).default('approved'),
  payer_email: z.email().optional(),
  /** Pay a different amount than the preference asks (to test mismatches). */
  amount: z.number().positive().optional(),
  notify: z.boolean().default(true),
  notification_url: z.url().optional(),
});

/** Where a money move is announced: `url` overrides; otherwise as MercadoPago routes it. */
const notifySchema = z.object({
  /** Send the notifications (default true); false is a silent change. */
  notify: z.boolean().default(true),
  /** Notify this URL instead of the payment's notification_url / the configured one. */
  url: z.url().optional(),
});

const dashboardRefundSchema = notifySchema.extend({
  /** Decimal amount, at most 2 decimals; the whole remaining amount when absent. */
  amount: z.number().positive().optional(),
  /** `collector`: the seller from MercadoPago's panel; `admin`: MercadoPago itself (ends `by_admin`). */
  source: z.enum(['collector', 'admin']).default('collector'),
});

const chargebackSchema = notifySchema.extend({
  /** Decimal amount disputed; what has not been refunded when absent. */
  amount: z.number().positive().optional(),
});

const chargebackResolutionSchema = notifySchema.extend({ resolution: z.enum(['settled', 'reimbursed']) });
const mediationResolutionSchema = notifySchema.extend({ winner: z.enum(['seller', 'buyer']) });

const dropsSchema = z.object({
  probability: z.number().min(0).max(1).optional(),
  dropNext: z.number().int().min(0).optional(),
  /** Makes probabilistic drops repeatable; null goes back to Math.random. */
  seed: z.number().int().nullable().optional(),
});

export function adminRouter(state: SandboxState, opts: { webhookSecret: string }) {
  const router = Router();
  router.use(express.json());

  router.post('/mercadopago/payments', (req, res) => {
    res.status(201).json(newPayment(state, req.body ?? {}));
  });

  router.patch('/mercadopago/payments/:id', (req, res) => {
    const status = req.body?.status;
    if (typeof status !== 'string') {
      res.status(400).json({ error: 'status is required' });
      return;
    }
    const p = updatePayment(state, req.params.id, { status, status_detail: req.body.status_detail });
    if (!p) {
      res.status(404).json({ error: 'payment not found' });
      return;
    }
    res.json(p);
  });

  /** Delivers a payment notification signed exactly as MercadoPago signs it (never dropped: a test asked for it). */
  async function deliver(w: z.infer<typeof sendWebhookSchema>) {
    const r = await notifyPayment(
      state,
      { url: w.url, paymentId: w.paymentId, action: w.action, notificationId: w.notificationId, ts: w.ts },
      { secret: opts.webhookSecret, secretOverride: w.secret, droppable: false, throwOnError: true },
    );
    return { notificationId: r.id, status: r.status!, body: r.answer ?? null, ms: r.ms ?? 0 };
  }

  const paymentUrl = (p: Record<string, any>, override?: string) => override ?? p.notification_url ?? state.notificationUrl ?? undefined;
  const chargebackUrl = (override?: string) => override ?? state.notificationUrl ?? undefined;

  /** MercadoPago announces a change of the payment: `payment.updated` to where it routes payments (subject to the drop switch). */
  async function announcePayment(p: Record<string, any>, n: z.infer<typeof notifySchema>, action = 'payment.updated'): Promise<NotificationRecord[]> {
    const url = paymentUrl(p, n.url);
    if (!n.notify || !url) return [];
    return [await notifyPayment(state, { url, paymentId: String(p.id), action }, { secret: opts.webhookSecret, droppable: true })];
  }

  async function announceChargeback(c: Record<string, any>, n: z.infer<typeof notifySchema>): Promise<NotificationRecord[]> {
    const url = chargebackUrl(n.url);
    if (!n.notify || !url) return [];
    return [await notifyChargeback(state, { url, chargebackId: c.id, paymentId: Number(c.payments[0]) }, { secret: opts.webhookSecret, droppable: true })];
  }

  function parse<T extends z.ZodType>(schema: T, body: unknown, res: express.Response): z.infer<T> | undefined {
    const parsed = schema.safeParse(body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues });
      return undefined;
    }
    return parsed.data;
  }

  function payment(id: string, res: express.Response) {
    const p = state.payments.get(id);
    if (!p) res.status(404).json({ error: 'payment not found' });
    return p;
  }

  /** A refund made outside our API (the seller in MercadoPago's panel, or MercadoPago itself). */
  router.post('/mercadopago/payments/:id/refunds', async (req, res) => {
    const b = parse(dashboardRefundSchema, req.body, res);
    if (!b) return;
    const p = payment(req.params.id, res);
    if (!p) return;
    if (!REFUNDABLE.has(p.status)) {
      res.status(409).json({ error: `payment in status ${p.status} cannot be refunded` });
      return;
    }
    const remaining = remainingCents(p);
    if (b.amount !== undefined && (!isCents(b.amount) || toCents(b.amount) > remaining)) {
      res.status(400).json({ error: `amount must have at most 2 decimals and be at most ${remaining / 100}` });
      return;
    }
    const refund = applyRefund(state, p, b.amount === undefined ? remaining : toCents(b.amount), b.source);
    res.status(201).json({ refund, payment: p, notifications: await announcePayment(p, b) });
  });

  /** The payer disowns the payment at the card issuer: a chargeback case, the payment `charged_back`. */
  router.post('/mercadopago/payments/:id/chargebacks', async (req, res) => {
    const b = parse(chargebackSchema, req.body, res);
    if (!b) return;
    const p = payment(req.params.id, res);
    if (!p) return;
    if (!CHARGEABLE.has(p.status)) {
      res.status(409).json({ error: `payment in status ${p.status} cannot be charged back` });
      return;
    }
    const max = toCents(p.transaction_amount);
    if (b.amount !== undefined && (!isCents(b.amount) || toCents(b.amount) > max)) {
      res.status(400).json({ error: `amount must have at most 2 decimals and be at most ${max / 100}` });
      return;
    }
    const cents = b.amount === undefined ? remainingCents(p) : toCents(b.amount);
    if (cents <= 0) {
      res.status(409).json({ error: 'nothing left to charge back' });
      return;
    }
    const chargeback = openChargeback(state, p, cents);
    const notifications = [...(await announcePayment(p, b)), ...(await announceChargeback(chargeback, b))];
    res.status(201).json({ chargeback, payment: p, notifications });
  });

  /** The chargeback case ends: `settled` (the payer keeps the money) or `reimbursed` (back to the seller). */
  router.patch('/mercadopago/chargebacks/:id', async (req, res) => {
    const b = parse(chargebackResolutionSchema, req.body, res);
    if (!b) return;
    const c = state.chargebacks.get(req.params.id);
    if (!c) {
      res.status(404).json({ error: 'chargeback not found' });
      return;
    }
    const { payment: p } = resolveChargeback(state, c, b.resolution);
    const notifications = [...(p ? await announcePayment(p, b) : []), ...(await announceChargeback(c, b))];
    res.json({ chargeback: c, payment: p ?? null, notifications });
  });

  router.get('/mercadopago/chargebacks', (req, res) => {
    const paymentId = req.query.payment_id as string | undefined;
    const chargebacks = [...state.chargebacks.values()].filter((c) => !paymentId || c.payments.map(String).includes(paymentId));
    res.json({ count: chargebacks.length, chargebacks });
  });

  /** The buyer takes a claim to mediation: the payment shows `in_mediation`. */
  router.post('/mercadopago/payments/:id/mediations', async (req, res) => {
    const b = parse(notifySchema, req.body, res);
    if (!b) return;
    const p = payment(req.params.id, res);
    if (!p) return;
    if (p.status !== 'approved') {
      res.status(409).json({ error: `payment in status ${p.status} cannot go to mediation` });
      return;
    }
    openMediation(p);
    res.status(201).json({ payment: p, notifications: await announcePayment(p, b) });
  });

  /** The mediation ends for the seller (approved again) or the buyer (MercadoPago refunds what remains). */
  router.patch('/mercadopago/payments/:id/mediation', async (req, res) => {
    const b = parse(mediationResolutionSchema, req.body, res);
    if (!b) return;
    const p = payment(req.params.id, res);
    if (!p) return;
    if (p.status !== 'in_mediation') {
      res.status(409).json({ error: `payment in status ${p.status} is not in mediation` });
      return;
    }
    const { refund } = resolveMediation(state, p, b.winner);
    res.json({ payment: p, refund, notifications: await announcePayment(p, b) });
  });

  /** The application's Webhooks URL as configured in MercadoPago's panel (null: none). */
  router.put('/mercadopago/notification-url', (req, res) => {
    const parsed = z.object({ url: z.url().nullable() }).safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues });
      return;
    }
    state.notificationUrl = parsed.data.url;
    res.json({ url: state.notificationUrl });
  });

  /** Loses automatic notifications on purpose: the next `dropNext`, then each with `probability`. */
  router.put('/mercadopago/webhook-drops', (req, res) => {
    const b = parse(dropsSchema, req.body, res);
    if (!b) return;
    res.json({ drops: state.setWebhookDrops(b) });
  });

  router.delete('/mercadopago/webhook-drops', (_req, res) => {
    res.json({ drops: state.setWebhookDrops({ probability: 0, dropNext: 0, seed: null }) });
  });

  /** Notifications sent or dropped, oldest first (`dropped=true|false`, `topic=payment|chargebacks`, `data_id`). */
  router.get('/mercadopago/notifications', (req, res) => {
    const { dropped, topic, data_id: dataId } = req.query as Record<string, string | undefined>;
    const list = state.notifications.filter(
      (n) => (dropped === undefined || String(n.dropped) === dropped) && (!topic || n.topic === topic) && (!dataId || n.dataId === dataId),
    );
    res.json({ count: list.length, dropped: list.filter((n) => n.dropped).length, notifications: list });
  });

  router.post('/mercadopago/webhooks', async (req, res) => {
    const parsed = sendWebhookSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues });
      return;
    }
    res.json(await deliver(parsed.data));
  });

  /**
   * The buyer pays a checkout preference: a payment for its items and external_reference, and (as
   * MercadoPago does) a notification to the preference's notification_url.
   */
  router.post('/mercadopago/preferences/:id/pay', async (req, res) => {
    const pref = state.preferences.get(req.params.id);
    if (!pref) {
      res.status(404).json({ error: 'preference not found' });
      return;
    }
    const parsed = payPreferenceSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues });
      return;
    }
    const b = parsed.data;
    const cents = pref.items.reduce((sum: number, i: { unit_price: number; quantity: number }) => sum + Math.round(i.unit_price * 100) * i.quantity, 0);
    const payment = newPayment(state, {
      status: b.status,
      transaction_amount: b.amount ?? cents / 100,
      currency_id: pref.items[0].currency_id,
      external_reference: pref.external_reference,
      payer: { email: b.payer_email ?? pref.payer?.email },
      metadata: pref.metadata,
      notification_url: b.notification_url ?? pref.notification_url,
    });
    const url = b.notification_url ?? pref.notification_url ?? state.notificationUrl;
    // Subject to the drop switch, and never a 500 when the receiver is down: MercadoPago's side
    // of the payment happened either way. `webhook` stays null when nothing reached the receiver.
    const notification = b.notify && url ? await notifyPayment(state, { url, paymentId: String(payment.id), action: 'payment.created' }, { secret: opts.webhookSecret, droppable: true }) : null;
    const webhook = notification && notification.status !== undefined ? { notificationId: notification.id, status: notification.status, body: notification.answer ?? null, ms: notification.ms ?? 0 } : null;
    res.status(201).json({ payment, webhook, notification });
  });

  router.get('/mercadopago/preferences', (req, res) => {
    const ref = req.query.external_reference;
    res.json({ preferences: [...state.preferences.values()].filter((p) => !ref || p.external_reference === ref) });
  });

  router.post('/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues });
      return;
    }
    const { count, ...fault } = parsed.data;
    state.faults.push({ ...fault, remaining: count });
    res.status(201).json({ faults: state.faults });
  });

  router.delete('/faults', (_req, res) => {
    state.faults = [];
    res.json({ faults: [] });
  });

  router.get('/calls', (req, res) => {
    const provider = req.query.provider as string | undefined;
    const path = req.query.path as string | undefined;
    const method = req.query.method as string | undefined;
    const calls = state.calls.filter((c) => (!provider || c.provider === provider) && (!path || c.path.includes(path)) && (!method || c.method === method));
    res.json({ count: calls.length, calls });
  });

  router.get('/gohighlevel/contacts', (_req, res) => {
    res.json({ contacts: [...state.contacts.values()] });
  });

  router.get('/gohighlevel/opportunities', (_req, res) => {
    res.json({ opportunities: [...state.opportunities.values()] });
  });

  router.get('/mail', (req, res) => {
    const to = req.query.to as string | undefined;
    res.json({ messages: state.mail.filter((m) => !to || m.to.includes(to.toLowerCase())) });
  });

  router.get('/slack', (_req, res) => {
    res.json({ messages: state.slack });
  });

  router.get('/sms', (req, res) => {
    const to = req.query.to as string | undefined;
    res.json({ messages: state.sms.filter((m) => !to || m.to === to) });
  });

  router.post('/reset', (_req, res) => {
    state.reset();
    res.json({ reset: true });
  });

  return router;
}
