/** Signals, queries, updates and types of the order saga, shared by the API and the workflows. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Currency } from '../common/money';
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

/** Started by the API's checkout with update-with-start (api/routes/orders.ts). */
export const orderCheckoutWorkflow = workflowRef<(input: OrderInput) => Promise<OrderView>>()('orderCheckout', TASK_QUEUE.orders);

/**
 * `refunded`, `partially_refunded` and `charged_back` are money moves made outside the order
 * (MercadoPago's panel, MercadoPago itself, the card issuer): see README "Refunds and chargebacks
 * that start outside us".
 */
export const ORDER_STATUSES = ['created', 'awaiting_payment', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'rejected', 'refunded', 'partially_refunded', 'charged_back'] as const;
export type OrderStatusName = (typeof ORDER_STATUSES)[number];
/** Statuses an order never leaves (its workflow only listens for late payments to refund). */
export const FINAL_ORDER_STATUSES: readonly OrderStatusName[] = ['cancelled', 'rejected', 'refunded', 'charged_back'];

export { retrySignal } from './webhooks';

export interface PaymentUpdate {
  paymentId: string;
  status: string;
  statusDetail?: string;
  amount: number;
  currency: string;
  /** MercadoPago's `transaction_amount_refunded` (absent in signals sent before outside refunds were handled). */
  amountRefunded?: number;
  dateLastUpdated: string;
}

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface ShippingAddress {
  street: string;
  city: string;
  state?: string;
  postal_code: string;
  country: string;
}

/** Everything the saga needs, decided by the API (prices from the catalog, never from the client). */
export interface OrderInput {
  orderNumber: string;
  customer: { id: string; email: string; name?: string };
  items: OrderItem[];
  currency: Currency;
  totalMinor: number;
  shippingAddress: ShippingAddress;
  affiliateCode?: string;
  createdAt: string;
  paymentTimeoutMs: number;
  /** How long a cancelled order keeps listening for a late payment to refund. */
  latePaymentWindowMs: number;
  notificationUrl?: string;
  crm: { pipelineId: string; paidTag: string; cancelledTag: string };
  /** A coupon applied at checkout: `totalMinor` is `subtotalMinor - coupon.discountMinor` (absent before coupons). */
  coupon?: { code: string; discountMinor: number };
  subtotalMinor?: number;
  discountMinor?: number;
  /** Built from the customer's cart (POST /orders with from_cart, or POST /cart/checkout). */
  fromCart?: boolean;
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export interface TimelineEntry {
  at: string;
  event: string;
  status: OrderStatusName;
  detail?: Record<string, unknown>;
}

export interface RefundRecord {
  paymentId: string;
  reason: 'order_cancelled' | 'duplicate_payment' | 'amount_mismatch' | 'late_payment';
  status: 'pending' | 'refunded';
  amount?: number;
  refundId?: number;
}

export type ReversalKind = 'refunded' | 'partially_refunded' | 'charged_back';

export interface PaymentReversal {
  kind: ReversalKind;
  paymentId: string;
  /** Minor units refunded so far (for a chargeback: what MercadoPago reported refunded, usually 0). */
  refundedMinor: number;
  /** Where fulfilment stood: decides the restock, and where a partially refunded order goes on from. */
  stage: OrderStatusName;
  restocked: boolean;
  commissionVoided: boolean;
  at: string;
}

export interface OrderView {
  orderNumber: string;
  workflowId: string;
  status: OrderStatusName;
  customer: OrderInput['customer'];
  items: OrderItem[];
  currency: Currency;
  totalMinor: number;
  shippingAddress: ShippingAddress;
  affiliateCode?: string;
  coupon?: { code: string; discountMinor: number };
  subtotalMinor?: number;
  discountMinor?: number;
  fromCart?: boolean;
  payment?: {
    preferenceId?: string;
    initPoint?: string;
    sandboxInitPoint?: string;
    /** The payment that paid the order. */
    paymentId?: string;
    status: 'awaiting' | 'paid' | 'refunded' | 'partially_refunded' | 'charged_back' | 'failed';
    paidAt?: string;
    /** Refunds the order itself made (cancellation, duplicate, late or wrong-amount payments). */
    refunds: RefundRecord[];
    /** The paid payment reversed outside the order (a panel refund, a chargeback), as the order acted on it. */
    reversal?: PaymentReversal;
  };
  trackingNumber?: string;
  cancellation?: { reason: string; by: string; at: string };
  rejection?: { reason: 'insufficient_stock' | 'payment_provider_unavailable' | 'stock_unavailable' | 'coupon_refused'; message: string; shortages?: Shortage[]; coupon?: { code: string; refusal: string } };
  /** Side effects still to do, and the one waiting for a manual `retry` if any. */
  pendingEffects: string[];
  failedSteps: { step: string; error: string; at: string }[];
  manualRetries: number;
  timeline: TimelineEntry[];
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** What POST /orders answers: the order and, once created, its payment link. */
export interface CheckoutResult {
  orderNumber: string;
  status: OrderStatusName;
  currency: Currency;
  totalMinor: number;
  payment?: { preferenceId?: string; initPoint?: string; sandboxInitPoint?: string };
}

export const FULFILLMENT_STATUSES = ['processing', 'shipped', 'delivered'] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];
export interface FulfillmentRequest {
  status: FulfillmentStatus;
  trackingNumber?: string;
  by: string;
}
export interface CancelRequest {
  reason: string;
  by: string;
}

/** Fulfillment moves one step at a time; cancel is allowed until the order ships. */
export const NEXT_FULFILLMENT: Partial<Record<OrderStatusName, FulfillmentStatus>> = {
  confirmed: 'processing',
  processing: 'shipped',
  shipped: 'delivered',
};
export const CANCELLABLE: readonly OrderStatusName[] = ['awaiting_payment', 'confirmed', 'processing'];

/** Sent by the webhook pipeline when a payment whose external_reference names an order changes. */
export const paymentUpdatedSignal = defineSignal<[PaymentUpdate]>('paymentUpdated');
/** Used with update-with-start: completes once the payment link exists, or fails with why the order was refused. */
export const checkoutUpdate = defineUpdate<CheckoutResult>('checkout');
export const fulfillmentUpdate = defineUpdate<OrderView, [FulfillmentRequest]>('advanceFulfillment');
export const cancelOrderUpdate = defineUpdate<OrderView, [CancelRequest]>('cancel');
export const orderStateQuery = defineQuery<OrderView>('state');

export const orderWorkflowId = (orderNumber: string) => `order-${orderNumber}`;

/**
 * Payments for an order whose workflow has closed (delivered, cancelled past its late window) or
 * that never existed: started (signal-with-start of `paymentUpdated`) by the webhook pipeline when
 * signalling `order-<number>` fails.
 */
export const closedOrderPaymentsWorkflow = workflowRef<(input: ClosedOrderPaymentsInput) => Promise<ClosedOrderPaymentsResult>>()('closedOrderPayments', TASK_QUEUE.orders);
export const closedOrderPaymentsWorkflowId = (orderNumber: string) => `order-payments-${orderNumber}`;
/** How long a closed order's payments workflow waits for another notification before it closes. */
export const CLOSED_ORDER_PAYMENTS_IDLE_MS = 60 * 60_000;

export interface ClosedOrderPaymentsInput {
  orderNumber: string;
  idleMs: number;
}

export interface ClosedOrderPaymentDecision {
  paymentId: string;
  status: string;
  outcome: 'refunded' | 'flagged_unknown_order' | 'reversal_applied' | 'ours' | 'ignored';
  reason?: string;
}

export interface ClosedOrderPaymentsResult {
  orderNumber: string;
  orderFound: boolean;
  decisions: ClosedOrderPaymentDecision[];
}
export const closedOrderPaymentsQuery = defineQuery<ClosedOrderPaymentsResult>('state');
/** Failure types the checkout update ends with, mapped to HTTP by the API. */
export const CHECKOUT_FAILURES = { insufficientStock: 'InsufficientStock', providerUnavailable: 'PaymentProviderUnavailable', stockUnavailable: 'StockUnavailable', couponRefused: 'CouponRefused' } as const;
export const INVALID_TRANSITION = 'InvalidTransition';

/**
 * What an order number looks like (`PF-` and upper-case letters or digits; api/routes/orders.ts
 * makes them). A payment whose external_reference is not one belongs to no order of ours: the
 * webhook pipeline does not signal (or route) it.
 */
export const ORDER_NUMBER_PATTERN = /^PF-[0-9A-Z]{1,32}$/;
export const isOrderNumber = (reference: string | undefined): reference is string => reference !== undefined && ORDER_NUMBER_PATTERN.test(reference);
