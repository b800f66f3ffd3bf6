import { providerCall } from '../http/provider-call';

/** MercadoPago's payment as returned by GET /v1/payments/{id} (the fields we use). */
export interface MercadoPagoPayment {
  id: number;
  status: string;
  status_detail?: string;
  transaction_amount: number;
  transaction_amount_refunded?: number;
  currency_id: string;
  external_reference?: string | null;
  payer?: { email?: string | null; id?: string | number | null; first_name?: string | null; last_name?: string | null };
  date_created?: string;
  date_approved?: string | null;
  date_last_updated: string;
  live_mode?: boolean;
  payment_method_id?: string;
  payment_type_id?: string;
  metadata?: Record<string, unknown>;
  refunds?: { id: number | string; amount: number; date_created?: string; status?: string; source?: { id?: string; name?: string; type?: string } }[];
}

/** POST /checkout/preferences request (the fields we send). */
export interface PreferenceRequest {
  items: { id: string; title: string; quantity: number; unit_price: number; currency_id: string }[];
  external_reference: string;
  notification_url?: string;
  payer?: { email: string; name?: string };
  metadata?: Record<string, unknown>;
  expires?: boolean;
  expiration_date_to?: string;
}

export interface Preference {
  id: string;
  init_point: string;
  sandbox_init_point?: string;
  external_reference?: string;
}

export interface Refund {
  id: number;
  payment_id: number;
  amount: number;
  status: string;
}

/** GET /v1/payments/search query (MercadoPago's names in the URL; ISO 8601 dates). */
export interface PaymentSearchQuery {
  range: 'date_created' | 'date_last_updated' | 'date_approved' | 'money_release_date';
  beginDate: string;
  endDate: string;
  sort: 'date_approved' | 'date_created' | 'date_last_updated' | 'id' | 'money_release_date';
  criteria: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** MercadoPago's search answer: `{ paging: { total, limit, offset }, results }`. */
export interface PaymentSearchPage {
  paging: { total: number; limit: number; offset: number };
  results: MercadoPagoPayment[];
}

export interface MercadoPagoClientConfig {
  baseUrl: string;
  accessToken: string;
}

/**
 * A MercadoPago REST client of our own: the npm SDK hard-codes its base URL, and the sandbox and
 * the real service must be one configuration switch apart.
 */
export class MercadoPagoClient {
  constructor(private readonly cfg: MercadoPagoClientConfig) {}

  private headers(extra: Record<string, string> = {}) {
    return { authorization: `Bearer ${this.cfg.accessToken}`, ...extra };
  }

  getPayment(id: string): Promise<MercadoPagoPayment> {
    return providerCall({ provider: 'mercadopago', baseUrl: this.cfg.baseUrl, method: 'GET', path: `/v1/payments/${encodeURIComponent(id)}`, headers: this.headers() });
  }

  /** A chargeback case (GET /v1/chargebacks/{id}): `payments` are the ids of the payments it disputes. */
  getChargeback(id: string): Promise<{ id: string | number; payments: (string | number)[]; amount?: number; currency?: string }> {
    return providerCall({ provider: 'mercadopago', baseUrl: this.cfg.baseUrl, method: 'GET', path: `/v1/chargebacks/${encodeURIComponent(id)}`, headers: this.headers() });
  }

  /** GET /v1/payments/search: one page of payments, in MercadoPago's paging shape. */
  searchPayments(q: PaymentSearchQuery): Promise<PaymentSearchPage> {
    const query = new URLSearchParams({
      range: q.range,
      begin_date: q.beginDate,
      end_date: q.endDate,
      sort: q.sort,
      criteria: q.criteria,
      offset: String(q.offset),
      limit: String(q.limit),
    });
    return providerCall({ provider: 'mercadopago', baseUrl: this.cfg.baseUrl, method: 'GET', path: `/v1/payments/search?${query}`, headers: this.headers() });
  }

  /** The same idempotency key returns the same preference, so a retried activity makes one checkout. */
  createPreference(body: PreferenceRequest, idempotencyKey: string): Promise<Preference> {
    return providerCall({ provider: 'mercadopago', baseUrl: this.cfg.baseUrl, method: 'POST', path: '/checkout/preferences', headers: this.headers({ 'x-idempotency-key': idempotencyKey }), body });
  }

  /** Full refund when `amount` is absent. X-Idempotency-Key is mandatory: one key, one refund. */
  refundPayment(paymentId: string, idempotencyKey: string, amount?: number): Promise<Refund> {
    return providerCall({
      provider: 'mercadopago',
      baseUrl: this.cfg.baseUrl,
      method: 'POST',
      path: `/v1/payments/${encodeURIComponent(paymentId)}/refunds`,
      headers: this.headers({ 'x-idempotency-key': idempotencyKey }),
      body: amount === undefined ? {} : { amount },
    });
  }
}
