/** Signals of the order workflow that other workflows send (the order saga itself lands later). */
import { defineSignal } from '@temporalio/workflow';

export interface PaymentUpdate {
  paymentId: string;
  status: string;
  statusDetail?: string;
  amount: number;
  currency: string;
  dateLastUpdated: string;
}

/** Sent by the webhook pipeline when a payment whose external_reference names an order changes. */
export const paymentUpdatedSignal = defineSignal<[PaymentUpdate]>('paymentUpdated');
export const orderWorkflowId = (orderNumber: string) => `order-${orderNumber}`;
