import { createHmac, randomUUID } from 'node:crypto';

/**
 * Signs a webhook exactly as MercadoPago does: HMAC-SHA256 (hex) of the manifest
 * `id:<data.id>;request-id:<x-request-id>;ts:<ts>;` with the application's webhook secret,
 * sent as `x-signature: ts=<ts>,v1=<hash>` plus `x-request-id`.
 */
export function signMercadoPagoWebhook(input: { secret: string; dataId?: string; requestId?: string; ts?: number }) {
  const requestId = input.requestId ?? randomUUID();
  const ts = input.ts ?? Math.floor(Date.now() / 1000);
  const parts = [];
  if (input.dataId) parts.push(`id:${input.dataId}`);
  if (requestId) parts.push(`request-id:${requestId}`);
  parts.push(`ts:${ts}`);
  const manifest = parts.join(';') + ';';
  const v1 = createHmac('sha256', input.secret).update(manifest).digest('hex');
  return { 'x-signature': `ts=${ts},v1=${v1}`, 'x-request-id': requestId };
}

/** A "Webhooks" notification body for a payment (../shared/providers.md). */
export function paymentNotification(input: { notificationId: number; paymentId: string; action?: string; liveMode?: boolean; userId?: number }) {
  return {
    id: input.notificationId,
    live_mode: input.liveMode ?? false,
    type: 'payment',
    date_created: new Date().toISOString(),
    user_id: input.userId ?? 44444,
    api_version: 'v1',
    action: input.action ?? 'payment.updated',
    data: { id: input.paymentId },
  };
}

/**
 * A "Webhooks" notification of the `chargebacks` topic, as MercadoPago documents it for Checkout
 * Pro (type `topic_chargebacks_wh`, `actions` an array, `data.id` the chargeback id as a number).
 */
export function chargebackNotification(input: { notificationId: number; chargebackId: string; paymentId: number; actions?: string[]; liveMode?: boolean; userId?: number; applicationId?: number }) {
  const now = new Date();
  return {
    actions: input.actions ?? ['changed_case_status'],
    api_version: 'v1',
    application_id: input.applicationId ?? 7654321012345678,
    data: {
      checkout: 'PRO',
      date_updated: now.toISOString(),
      id: Number(input.chargebackId),
      payment_id: input.paymentId,
      product_id: 'C00A2J8RF4DI8BCIMFU0',
      site_id: 'MLA',
      transaction_intent_id: '',
    },
    date_created: now.toISOString(),
    id: input.notificationId,
    live_mode: input.liveMode ?? false,
    type: 'topic_chargebacks_wh',
    user_id: input.userId ?? 44444,
    version: Math.floor(now.getTime() / 1000),
  };
}
