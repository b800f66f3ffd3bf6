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
}
