import type { Config } from '../../common/config';
import { MercadoPagoClient, type MercadoPagoPayment } from './client';

/** What the workflows keep of a payment: plain, small, deterministic to carry in history. */
export interface PaymentSnapshot {
  paymentId: string;
  status: string;
  statusDetail?: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  externalReference?: string;
  payerEmail?: string;
  payerFirstName?: string;
  payerLastName?: string;
  paymentMethodId?: string;
  paymentTypeId?: string;
  liveMode?: boolean;
  dateCreated?: string;
  dateApproved?: string;
  dateLastUpdated: string;
}

export function toSnapshot(p: MercadoPagoPayment): PaymentSnapshot {
  return {
    paymentId: String(p.id),
    status: p.status,
    statusDetail: p.status_detail ?? undefined,
    amount: p.transaction_amount,
    amountRefunded: p.transaction_amount_refunded ?? 0,
    currency: p.currency_id,
    externalReference: p.external_reference || undefined,
    payerEmail: p.payer?.email ? p.payer.email.toLowerCase() : undefined,
    payerFirstName: p.payer?.first_name ?? undefined,
    payerLastName: p.payer?.last_name ?? undefined,
    paymentMethodId: p.payment_method_id,
    paymentTypeId: p.payment_type_id,
    liveMode: p.live_mode,
    dateCreated: p.date_created,
    dateApproved: p.date_approved ?? undefined,
    dateLastUpdated: p.date_last_updated,
  };
}

/** MercadoPago activities. */
export function createMercadoPagoActivities(config: Pick<Config, 'MERCADOPAGO_BASE_URL' | 'MERCADOPAGO_ACCESS_TOKEN'>) {
  const client = new MercadoPagoClient({ baseUrl: config.MERCADOPAGO_BASE_URL, accessToken: config.MERCADOPAGO_ACCESS_TOKEN });
  return {
    /** The payment as MercadoPago has it now: the truth, never the webhook body. */
    async fetchMercadoPagoPayment(paymentId: string): Promise<PaymentSnapshot> {
      return toSnapshot(await client.getPayment(paymentId));
    },
  };
}
