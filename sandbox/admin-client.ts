/** A client for the sandbox's admin API, shared by the demo, the tests and the benchmark. */
import type { NotificationRecord } from './state';

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  if (!res.ok && res.status !== 401 && res.status !== 400) throw new Error(`sandbox ${method} ${url} → ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface SentWebhook {
  notificationId: number;
  /** The status our API answered with. */
  status: number;
  body: any;
  ms: number;
}

/** A notification the sandbox's MercadoPago sent, or lost on purpose (the drop switch), as the admin API lists it. */
export type SandboxNotification = Omit<NotificationRecord, 'body'> & { body: any };

/** A refund as MercadoPago reports it (in `payment.refunds[]` and GET /v1/payments/{id}/refunds). */
export interface SandboxRefund {
  id: number;
  payment_id: number;
  amount: number;
  source: { id: string; name: string; type: 'collector' | 'admin' };
  status: string;
  date_created: string;
  refund_mode: string;
  amount_refunded_to_payer: number;
}

/** MercadoPago's chargeback resource (GET /v1/chargebacks/{id}). */
export interface SandboxChargeback {
  id: string;
  payments: number[];
  currency: string;
  amount: number;
  coverage_applied: boolean | null;
  documentation_status: string;
  date_created: string;
  date_last_updated: string;
}

/** Where a money move is announced: `url` overrides the payment's notification_url / the configured URL; notify=false is silent. */
export interface NotifyInput {
  notify?: boolean;
  url?: string;
}

type MoneyPayment = Record<string, any> & { id: number; status: string; status_detail: string; transaction_amount: number; transaction_amount_refunded: number; date_last_updated: string; refunds: SandboxRefund[] };

export function sandboxAdmin(sandboxUrl: string) {
  const admin = `${sandboxUrl.replace(/\/$/, '')}/__admin`;
  return {
    createPayment: (input: Record<string, unknown>) => call<{ id: number; status: string; date_last_updated: string }>('POST', `${admin}/mercadopago/payments`, input),
    setPaymentStatus: (id: string | number, status: string) => call<Record<string, unknown>>('PATCH', `${admin}/mercadopago/payments/${id}`, { status }),
    /** Sends a webhook signed exactly as MercadoPago signs it, from the sandbox to `url`. */
    sendWebhook: (input: { url: string; paymentId: string | number; action?: string; notificationId?: number; secret?: string; ts?: number }) =>
      call<SentWebhook>('POST', `${admin}/mercadopago/webhooks`, { ...input, paymentId: String(input.paymentId) }),
    /** The buyer pays the preference; MercadoPago's notification goes to its notification_url. */
    payPreference: (preferenceId: string, input: { status?: string; payer_email?: string; amount?: number; notify?: boolean; notification_url?: string } = {}) =>
      call<{ payment: { id: number; status: string; transaction_amount: number; date_last_updated: string }; webhook: SentWebhook | null; notification: SandboxNotification | null }>('POST', `${admin}/mercadopago/preferences/${encodeURIComponent(preferenceId)}/pay`, input),
    opportunities: async () => (await call<{ opportunities: { id: string; name: string; status: string; monetaryValue?: number; contactId: string }[] }>('GET', `${admin}/gohighlevel/opportunities`)).opportunities,
    mail: async (to?: string) => (await call<{ messages: { to: string[]; subject: string; text: string; html: string; messageId?: string }[] }>('GET', `${admin}/mail${to ? `?to=${encodeURIComponent(to)}` : ''}`)).messages,
    slack: async () => (await call<{ messages: { text: string; at: string }[] }>('GET', `${admin}/slack`)).messages,
    /** SMS accepted by the sandbox's Twilio, oldest first (optionally only those to one number). */
    sms: async (to?: string) =>
      (await call<{ messages: { sid: string; to: string; from: string | null; body: string; numSegments: number; at: string }[] }>('GET', `${admin}/sms${to ? `?to=${encodeURIComponent(to)}` : ''}`)).messages,
    /** A refund made in MercadoPago's panel (`collector`, default) or by MercadoPago (`admin`); the whole remaining amount without `amount`. */
    refundFromDashboard: (paymentId: string | number, input: NotifyInput & { amount?: number; source?: 'collector' | 'admin' } = {}) =>
      call<{ refund: SandboxRefund; payment: MoneyPayment; notifications: SandboxNotification[] }>('POST', `${admin}/mercadopago/payments/${paymentId}/refunds`, input),
    /** The payer disputes the payment at the issuer: payment `charged_back`/`in_process` and a chargeback case. */
    chargeback: (paymentId: string | number, input: NotifyInput & { amount?: number } = {}) =>
      call<{ chargeback: SandboxChargeback; payment: MoneyPayment; notifications: SandboxNotification[] }>('POST', `${admin}/mercadopago/payments/${paymentId}/chargebacks`, input),
    /** The chargeback case ends: `settled` (the payer keeps the money) or `reimbursed` (the seller gets it back). */
    resolveChargeback: (chargebackId: string, resolution: 'settled' | 'reimbursed', input: NotifyInput = {}) =>
      call<{ chargeback: SandboxChargeback; payment: MoneyPayment | null; notifications: SandboxNotification[] }>('PATCH', `${admin}/mercadopago/chargebacks/${chargebackId}`, { ...input, resolution }),
    chargebacks: async (paymentId?: string | number) =>
      (await call<{ chargebacks: SandboxChargeback[] }>('GET', `${admin}/mercadopago/chargebacks${paymentId === undefined ? '' : `?payment_id=${paymentId}`}`)).chargebacks,
    /** The buyer takes a claim to mediation: payment `in_mediation`. */
    openMediation: (paymentId: string | number, input: NotifyInput = {}) =>
      call<{ payment: MoneyPayment; notifications: SandboxNotification[] }>('POST', `${admin}/mercadopago/payments/${paymentId}/mediations`, input),
    /** The mediation ends: `seller` (approved again) or `buyer` (MercadoPago refunds what remains: refunded/by_admin). */
    resolveMediation: (paymentId: string | number, winner: 'seller' | 'buyer', input: NotifyInput = {}) =>
      call<{ payment: MoneyPayment; refund: SandboxRefund | null; notifications: SandboxNotification[] }>('PATCH', `${admin}/mercadopago/payments/${paymentId}/mediation`, { ...input, winner }),
    /** The application's Webhooks URL (MercadoPago's panel): where payments without notification_url, and chargebacks, are announced. */
    setNotificationUrl: (url: string | null) => call<{ url: string | null }>('PUT', `${admin}/mercadopago/notification-url`, { url }),
    /** Loses automatic notifications: the next `dropNext`, then each with `probability` (repeatable with `seed`). Explicit sendWebhook is never dropped. */
    dropWebhooks: (input: { probability?: number; dropNext?: number; seed?: number | null }) =>
      call<{ drops: { probability: number; dropNext: number; seed: number | null } }>('PUT', `${admin}/mercadopago/webhook-drops`, input),
    clearWebhookDrops: () => call<unknown>('DELETE', `${admin}/mercadopago/webhook-drops`),
    /** Notifications sent or dropped by the sandbox's MercadoPago, oldest first. */
    notifications: (filter: { dropped?: boolean; topic?: 'payment' | 'chargebacks'; dataId?: string | number } = {}) => {
      const q = new URLSearchParams();
      if (filter.dropped !== undefined) q.set('dropped', String(filter.dropped));
      if (filter.topic) q.set('topic', filter.topic);
      if (filter.dataId !== undefined) q.set('data_id', String(filter.dataId));
      return call<{ count: number; dropped: number; notifications: SandboxNotification[] }>('GET', `${admin}/mercadopago/notifications?${q}`);
    },
    fault: (input: Record<string, unknown>) => call<unknown>('POST', `${admin}/faults`, input),
    clearFaults: () => call<unknown>('DELETE', `${admin}/faults`),
    calls: (filter: { provider?: string; path?: string; method?: string } = {}) =>
      call<{ count: number; calls: { path: string; status: number; method: string }[] }>('GET', `${admin}/calls?${new URLSearchParams(filter as Record<string, string>)}`),
    contacts: async () => (await call<{ contacts: { id: string; email: string; tags: string[] }[] }>('GET', `${admin}/gohighlevel/contacts`)).contacts,
    reset: () => call<unknown>('POST', `${admin}/reset`),
  };
}
