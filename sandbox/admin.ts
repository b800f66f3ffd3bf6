/**
 * The sandbox's own admin API (/__admin), for dev and tests: create payments and change their
 * status, inject faults, send webhooks signed exactly as MercadoPago signs them, and read the
 * provider call log, and what the Slack, SMS (Twilio) and mail sinks received.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { newPayment, updatePayment } from './mercadopago';
import { paymentNotification, signMercadoPagoWebhook } from './sign';
import type { SandboxState } from './state';

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

  /** Delivers a payment notification signed exactly as MercadoPago signs it. */
  async function deliver(w: z.infer<typeof sendWebhookSchema>) {
    const notificationId = w.notificationId ?? state.nextNotificationId();
    const body = paymentNotification({ notificationId, paymentId: w.paymentId, action: w.action });
    const headers = signMercadoPagoWebhook({ secret: w.secret ?? opts.webhookSecret, dataId: w.paymentId, ts: w.ts });
    const url = new URL(w.url);
    url.searchParams.set('data.id', w.paymentId);
    url.searchParams.set('type', 'payment');
    const started = Date.now();
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await answer.text();
    return { notificationId, status: answer.status, body: text ? JSON.parse(text) : null, ms: Date.now() - started };
  }

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
    });
    const url = b.notification_url ?? pref.notification_url;
    const webhook = b.notify && url ? await deliver({ url, paymentId: String(payment.id), action: 'payment.created' }) : null;
    res.status(201).json({ payment, webhook });
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
