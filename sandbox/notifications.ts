/**
 * MercadoPago's notifications leaving the sandbox: signed exactly as MercadoPago signs them
 * (./sign.ts), POSTed to `<url>?data.id=<id>&type=<topic>`, each recorded in
 * `state.notifications`, and lost on purpose when the drop switch says so (a lost notification
 * is recorded as dropped; the receiver never sees it).
 */
import { chargebackNotification, paymentNotification, signMercadoPagoWebhook } from './sign';
import type { NotificationRecord, SandboxState } from './state';

export interface NotifyOptions {
  secret: string;
  /** Apply the drop switch (automatic notifications); explicit sends from a test never drop. */
  droppable: boolean;
  /** Throw when the receiver is unreachable instead of recording the error. */
  throwOnError?: boolean;
}

async function post(state: SandboxState, record: NotificationRecord, opts: NotifyOptions & { ts?: number }) {
  state.notifications.push(record);
  if (opts.droppable) {
    const reason = state.takeDrop();
    if (reason) {
      record.dropped = true;
      record.dropReason = reason;
      return record;
    }
  }
  const headers = signMercadoPagoWebhook({ secret: opts.secret, dataId: record.dataId, ts: opts.ts });
  const url = new URL(record.url);
  url.searchParams.set('data.id', record.dataId);
  url.searchParams.set('type', record.topic === 'payment' ? 'payment' : 'topic_chargebacks_wh');
  const started = Date.now();
  try {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(record.body), signal: AbortSignal.timeout(22_000) });
    const text = await answer.text();
    record.status = answer.status;
    record.ms = Date.now() - started;
    record.answer = parseMaybe(text);
  } catch (err) {
    record.error = (err as Error).message;
    record.ms = Date.now() - started;
    if (opts.throwOnError) throw err;
  }
  return record;
}

function parseMaybe(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A `payment` topic notification (action payment.created / payment.updated). */
export function notifyPayment(
  state: SandboxState,
  input: { url: string; paymentId: string; action?: string; notificationId?: number; ts?: number },
  opts: NotifyOptions & { secretOverride?: string },
) {
  const id = input.notificationId ?? state.nextNotificationId();
  const action = input.action ?? 'payment.updated';
  const body = paymentNotification({ notificationId: id, paymentId: input.paymentId, action });
  const record: NotificationRecord = { id, topic: 'payment', action, dataId: input.paymentId, url: input.url, at: new Date().toISOString(), dropped: false, body };
  return post(state, record, { ...opts, secret: opts.secretOverride ?? opts.secret, ts: input.ts });
}

/** A `chargebacks` topic notification for a chargeback case of a payment. */
export function notifyChargeback(state: SandboxState, input: { url: string; chargebackId: string; paymentId: number; actions?: string[] }, opts: NotifyOptions) {
  const id = state.nextNotificationId();
  const body = chargebackNotification({ notificationId: id, chargebackId: input.chargebackId, paymentId: input.paymentId, actions: input.actions });
  const record: NotificationRecord = { id, topic: 'chargebacks', action: body.actions.join(','), dataId: input.chargebackId, url: input.url, at: new Date().toISOString(), dropped: false, body };
  return post(state, record, opts);
}
