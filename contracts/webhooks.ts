/** Signals, queries and types of the webhook workflows, shared by the API and the workflows. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

/**
 * Started by the API for each verified delivery (api/webhooks/mercadopago.ts) and by the
 * reconciliation. Version 2 (a new type: no patch markers in its histories); version 1,
 * `processMercadoPagoNotification`, still runs the executions earlier deployments started, and
 * takes the same `retry` signal and `state` query.
 */
export const mercadoPagoNotificationWorkflow = workflowRef<(n: MercadoPagoNotification) => Promise<NotificationState>>()('processMercadoPagoNotificationV2', TASK_QUEUE.webhooks);
/** Both types, for visibility queries over every notification execution. */
export const NOTIFICATION_WORKFLOW_TYPES = ['processMercadoPagoNotificationV2', 'processMercadoPagoNotification'] as const;

/** A verified MercadoPago notification, as the API hands it to Temporal. */
export interface MercadoPagoNotification {
  /** Our event id: `mp-<notification id>` (or `mp-ipn-<topic>-<id>` for legacy IPN hints). */
  eventId: string;
  source: 'webhook' | 'ipn' | 'reconciliation';
  type: string;
  action?: string;
  /** The payment id (data.id) to fetch: the notification body is never trusted for state. */
  resourceId: string;
  receivedAt: string;
  liveMode?: boolean;
  /** Tag added to the payer's CRM contact when the payment becomes approved. */
  crmApprovedTag: string;
}

export type NotificationPhase = 'processing' | 'failed' | 'succeeded';

export interface NotificationState {
  eventId: string;
  phase: NotificationPhase;
  completedSteps: string[];
  failedStep?: string;
  lastError?: string;
  manualRetries: number;
  paymentId: string;
  paymentStatus?: string;
  orderNumber?: string;
}

/** Ops: run the failed step again. `tctl workflow signal --name retry`, `temporal workflow signal --name retry`, or the API. */
export const retrySignal = defineSignal('retry');
export const notificationStateQuery = defineQuery<NotificationState>('state');

export const notificationWorkflowId = (eventId: string) => `webhook-${eventId}`;
export const eventIdOfWorkflow = (workflowId: string) => (workflowId.startsWith('webhook-') ? workflowId.slice('webhook-'.length) : undefined);
/** MercadoPago's `chargebacks` topic ("Webhooks"): data.id is the chargeback; its payment is processed. */
export const CHARGEBACK_TOPIC = 'topic_chargebacks_wh';
export const WEBHOOK_EVENT_TYPES_PROCESSED = ['payment', CHARGEBACK_TOPIC] as const;

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
  /** Every refund of the payment, as MercadoPago lists them (partial ones too). */
  refunds?: PaymentRefund[];
}

/** One refund of a payment (MercadoPago's refund resource, the fields we keep). */
export interface PaymentRefund {
  refundId: string;
  /** As MercadoPago sends it (decimal); the projection keeps integer minor units beside it. */
  amount: number;
  dateCreated?: string;
  /** MercadoPago's `source.type`: `collector` (the seller, by API or panel), `admin` (MercadoPago's own). */
  sourceType?: string;
  status?: string;
}

/** What saving a payment snapshot did (domain/payments/payment-store.ts). */
export interface SavePaymentResult {
  /** inserted / updated: this write changed the projection; stale: a newer or equal version was already stored. */
  outcome: 'inserted' | 'updated' | 'stale';
  previousStatus?: string;
  /** True for exactly one workflow per payment: the one that claimed its move into `approved`. */
  becameApproved: boolean;
}
