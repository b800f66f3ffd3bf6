/** The order's side effects, each queued in its lane: emails, the CRM opportunity, a paid order's cancellation. */
import { minorToProviderNumber } from '../../common/money';
import type { CancelRequest } from '../../contracts/orders';
import type { OrderEmailKind } from '../../domain/orders/order-emails';
import { crm, email, stock, store } from './order-activities';
import { now } from './order-record';
import type { OrderSaga } from './order-saga';

export class OrderEffects {
  constructor(private readonly saga: Pick<OrderSaga, 'input' | 'record' | 'lanes'>) {}

  sendEmail(kind: OrderEmailKind, extra: { refundedMinor?: number; reason?: string } = {}): void {
    const { input, record, lanes } = this.saga;
    lanes.enqueue('email', `sendOrderEmail:${kind}`, async () => {
      await email.sendOrderEmail({
        kind,
        orderNumber: input.orderNumber,
        to: input.customer.email,
        customerName: input.customer.name,
        currency: input.currency,
        totalMinor: input.totalMinor,
        items: input.items,
        trackingNumber: record.state.trackingNumber,
        ...extra,
      });
      record.note('email_sent', { kind });
      await record.persist();
    });
  }

  /** The order as a CRM opportunity (won or lost) and a tag on the contact. */
  syncCrm(status: 'won' | 'lost', tag: string): void {
    const { input, record, lanes } = this.saga;
    let contactId = '';
    lanes.enqueue('crm', `syncOrderOpportunity:${status}`, async () => {
      const r = await crm.syncOrderOpportunity({
        email: input.customer.email,
        name: input.customer.name,
        orderNumber: input.orderNumber,
        status,
        monetaryValue: minorToProviderNumber(input.totalMinor, input.currency),
        pipelineId: input.crm.pipelineId,
      });
      contactId = r.contactId;
      record.note('crm_synced', { opportunity: status });
    });
    lanes.enqueue('crm', `tagCrmContact:${tag}`, async () => {
      await crm.tagCrmContact({ contactId, tags: [tag] });
      await record.persist();
    });
  }
}

/** A paid order cancelled: refund, then restock and tell the customer once the money is back. */
export function cancelPaidOrder(saga: OrderSaga, req: CancelRequest): void {
  const { input, record, lanes, payments, effects } = saga;
  const { state } = record;
  record.setStatus('cancelled', 'order_cancelled', { reason: req.reason, by: req.by });
  state.cancellation = { reason: req.reason, by: req.by, at: now() };
  const paymentId = state.payment!.paymentId!;
  payments.refund(paymentId, 'order_cancelled', () => {
    state.payment!.status = 'refunded';
    lanes.enqueue('payments', 'restockItems', async () => {
      for (const item of input.items) await stock.restockItem({ orderNumber: input.orderNumber, sku: item.sku, quantity: item.quantity });
      record.note('stock_restocked');
      await record.persist();
    });
    effects.sendEmail('cancelled', { refundedMinor: input.totalMinor });
  });
  effects.syncCrm('lost', input.crm.cancelledTag);
  if (input.affiliateCode) lanes.enqueue('payments', 'voidAffiliateAttribution', () => store.voidAffiliateAttribution({ orderNumber: input.orderNumber }));
}
