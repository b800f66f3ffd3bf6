/** The order's side effects, each queued in its lane: emails and the CRM opportunity. */
import { minorToProviderNumber } from '../../common/money';
import type { OrderEmailKind } from '../../domain/orders/order-emails';
import { crm, email } from './order-activities';
import type { SagaCore } from './order-saga';

export class OrderEffects {
  constructor(private readonly saga: SagaCore) {}

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
