import type { Config } from '../../common/config';
import { ApplicationFailure } from '@temporalio/common';
import { minorToProviderNumber, type Currency } from '../../common/money';
import type { PaymentSnapshot } from '../../contracts/webhooks';
import { MercadoPagoClient, type MercadoPagoPayment } from './client';
import { issuedRefunds } from '../../domain/payments/issued-refunds';


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
    refunds: (p.refunds ?? []).map((r) => ({ refundId: String(r.id), amount: r.amount, dateCreated: r.date_created, sourceType: r.source?.type, status: r.status })),
  };
}

export interface CheckoutPreferenceInput {
  orderNumber: string;
  currency: Currency;
  items: { sku: string; name: string; quantity: number; unitPriceMinor: number }[];
  payerEmail: string;
  payerName?: string;
  notificationUrl?: string;
  /** ISO time after which MercadoPago stops accepting payments for it. */
  expiresAt?: string;
}

/** MercadoPago activities. */
export function createMercadoPagoActivities(config: Pick<Config, 'MERCADOPAGO_BASE_URL' | 'MERCADOPAGO_ACCESS_TOKEN'>) {
  const client = new MercadoPagoClient({ baseUrl: config.MERCADOPAGO_BASE_URL, accessToken: config.MERCADOPAGO_ACCESS_TOKEN });
  const refunds = issuedRefunds();
  return {
    /** The payment as MercadoPago has it now: the truth, never the webhook body. */
    async fetchMercadoPagoPayment(paymentId: string): Promise<PaymentSnapshot> {
      return toSnapshot(await client.getPayment(paymentId));
    },

    /** The payment a chargeback case disputes (the chargebacks topic names the case, not the payment). */
    async fetchMercadoPagoChargeback(chargebackId: string): Promise<{ chargebackId: string; paymentId: string }> {
      const c = await client.getChargeback(chargebackId);
      const paymentId = c.payments?.[0];
      if (paymentId === undefined) throw ApplicationFailure.nonRetryable(`chargeback ${chargebackId} names no payment`, 'ProviderRejected');
      return { chargebackId: String(c.id), paymentId: String(paymentId) };
    },

    /** The order's checkout: one preference per order (idempotency key = order number). */
    async createCheckoutPreference(input: CheckoutPreferenceInput): Promise<{ preferenceId: string; initPoint: string; sandboxInitPoint?: string }> {
      const pref = await client.createPreference(
        {
          items: input.items.map((i) => ({ id: i.sku, title: i.name, quantity: i.quantity, unit_price: minorToProviderNumber(i.unitPriceMinor, input.currency), currency_id: input.currency })),
          external_reference: input.orderNumber,
          notification_url: input.notificationUrl,
          payer: { email: input.payerEmail, ...(input.payerName ? { name: input.payerName } : {}) },
          metadata: { order_number: input.orderNumber },
          ...(input.expiresAt ? { expires: true, expiration_date_to: input.expiresAt } : {}),
        },
        `preference-${input.orderNumber}`,
      );
      return { preferenceId: pref.id, initPoint: pref.init_point, sandboxInitPoint: pref.sandbox_init_point };
    },

    /**
     * Refunds a payment in full, once: the idempotency key is the payment id, so every path that
     * decides to refund it (late payment, duplicate payment, cancellation) makes one refund.
     * A payment already refunded in full is success, not an error.
     */
    async refundMercadoPagoPayment(input: { paymentId: string; reason: string }): Promise<{ refundId?: number; amount: number; alreadyRefunded: boolean }> {
      // Announced first: MercadoPago's notification of this refund may arrive before the call returns.
      await refunds.announce(input);
      try {
        const refund = await client.refundPayment(input.paymentId, `refund-${input.paymentId}`);
        await refunds.record({ paymentId: input.paymentId, refundId: String(refund.id) });
        return { refundId: refund.id, amount: refund.amount, alreadyRefunded: false };
      } catch (err) {
        const failure = err as ApplicationFailure;
        const status = (failure.details?.[0] as { status?: number } | undefined)?.status;
        if (status === 400) {
          const p = await client.getPayment(input.paymentId);
          if (p.status === 'refunded') return { amount: p.transaction_amount_refunded ?? p.transaction_amount, alreadyRefunded: true };
        }
        throw err;
      }
    },
  };
}
