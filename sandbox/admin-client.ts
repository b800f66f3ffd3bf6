/** A client for the sandbox's admin API, shared by the demo, the tests and the benchmark. */

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
      call<{ payment: { id: number; status: string; transaction_amount: number; date_last_updated: string }; webhook: SentWebhook | null }>('POST', `${admin}/mercadopago/preferences/${encodeURIComponent(preferenceId)}/pay`, input),
    opportunities: async () => (await call<{ opportunities: { id: string; name: string; status: string; monetaryValue?: number; contactId: string }[] }>('GET', `${admin}/gohighlevel/opportunities`)).opportunities,
    mail: async (to?: string) => (await call<{ messages: { to: string[]; subject: string; text: string; html: string; messageId?: string }[] }>('GET', `${admin}/mail${to ? `?to=${encodeURIComponent(to)}` : ''}`)).messages,
    slack: async () => (await call<{ messages: { text: string; at: string }[] }>('GET', `${admin}/slack`)).messages,
    /** SMS accepted by the sandbox's Twilio, oldest first (optionally only those to one number). */
    sms: async (to?: string) =>
      (await call<{ messages: { sid: string; to: string; from: string | null; body: string; numSegments: number; at: string }[] }>('GET', `${admin}/sms${to ? `?to=${encodeURIComponent(to)}` : ''}`)).messages,
    fault: (input: Record<string, unknown>) => call<unknown>('POST', `${admin}/faults`, input),
    clearFaults: () => call<unknown>('DELETE', `${admin}/faults`),
    calls: (filter: { provider?: string; path?: string; method?: string } = {}) =>
      call<{ count: number; calls: { path: string; status: number; method: string }[] }>('GET', `${admin}/calls?${new URLSearchParams(filter as Record<string, string>)}`),
    contacts: async () => (await call<{ contacts: { id: string; email: string; tags: string[] }[] }>('GET', `${admin}/gohighlevel/contacts`)).contacts,
    reset: () => call<unknown>('POST', `${admin}/reset`),
  };
}
