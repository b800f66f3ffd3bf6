/**
 * The lean course of a MercadoPago notification, run by version 2 of the workflow for every new
 * delivery and by version 1 for the executions it started after its `lean-history` patch.
 */
import { getExternalWorkflowHandle, isCancellation, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { CustomerEmail, OrderNumber, PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { isOrderNumber, orderWorkflowId, paymentUpdatedSignal, type PaymentUpdate } from '../../contracts/orders';
import { ManualRetry } from '../shared/manual-retry';
import { CHARGEBACK_TOPIC, notificationStateQuery, type MercadoPagoNotification, type NotificationState, type PaymentSnapshot, type SavePaymentResult } from '../../contracts/webhooks';
import { alerts, crm, events, localEvents, localPayments, mercadopago, routing } from './notification-activities';

/**
 * The same process as version 1's original course with a short history (15 events for a payment
 * with no CRM or order work under version 2, 18 under version 1's patch, instead of 34): every
 * effect and every retry promise of the original is kept, only the bookkeeping is cheaper.
 * - The webhook-event log writes (open, finish) and the payment save are *local* activities: short
 *   MongoDB writes keyed by `_id`, idempotent (a local activity may run again if its workflow task
 *   is retried), so they need no task of their own: each leaves one marker, and they run inside the
 *   workflow task that reaches them. The payment save keeps databaseStep's schedule and, exhausted,
 *   fails its step like before (manual `retry`).
 * - Provider calls (MercadoPago fetches, GoHighLevel) stay regular activities with their declared
 *   policies, the 429 budget and the manual `retry` gate. So do the failure path's bookkeeping
 *   (markWebhookFailed/Retrying, alerts) and the closed-order routing (a Temporal call).
 * - One search-attribute upsert per state change: `succeeded` or `failed`, carrying what the payment
 *   told us (CustomerEmail, OrderNumber, the chargeback's PaymentId) and whatever the starter did
 *   not set; version 1 also announced `processing` at start (`announceProcessing`).
 * - The order is told only when the payment names one (`PF-…`), and at the same time as the CRM
 *   steps run, not after them.
 */
export async function processNotificationLean(n: MercadoPagoNotification, opts: { announceProcessing: boolean }): Promise<NotificationState> {
  const info = workflowInfo();
  const state: NotificationState = { eventId: n.eventId, phase: 'processing', completedSteps: [], manualRetries: 0, paymentId: n.resourceId };
  setHandler(notificationStateQuery, () => state);
  const isChargeback = n.type === CHARGEBACK_TOPIC;

  // Attributes learnt since the last state change: they ride on the next one.
  let learnt: SearchAttributeUpdatePair[] = [];
  const setStatus = (status: 'processing' | 'failed' | 'succeeded') => {
    upsertSearchAttributes([...learnt, { key: WebhookStatus, value: status }]);
    learnt = [];
  };
  // The API starts the workflow with Provider, WebhookStatus and PaymentId; other starters may not.
  const given = info.typedSearchAttributes;
  if (given.get(Provider) === undefined) learnt.push({ key: Provider, value: 'mercadopago' });
  if (!isChargeback && given.get(PaymentId) !== n.resourceId) learnt.push({ key: PaymentId, value: n.resourceId });
  // Version 1 said `processing` at once; version 2 keeps the starter's `received` until the outcome
  // (one upsert fewer: an action, a history event and a visibility write per webhook).
  if (opts.announceProcessing) setStatus('processing');

  const alertKey = `webhook-failed:${n.eventId}`;
  const retries = new ManualRetry({
    async onFailed(name, error) {
      state.phase = 'failed';
      state.failedStep = name;
      state.lastError = error;
      setStatus('failed');
      await events.markWebhookFailed({ eventId: n.eventId, step: name, error });
      await alerts.recordAlert({
        dedupKey: alertKey,
        rule: 'webhook_processing_failed',
        severity: 'high',
        message: `MercadoPago notification ${n.eventId} failed at ${name}: ${error}`,
        source: info.workflowId,
        details: { eventId: n.eventId, paymentId: state.paymentId, step: name },
      });
    },
    async onRetrying() {
      state.manualRetries++;
      state.phase = 'processing';
      setStatus('processing');
      await events.markWebhookRetrying({ eventId: n.eventId });
    },
  });
  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const result = await retries.step(name, run);
    state.completedSteps.push(name);
    return result;
  }

  await localEvents.openWebhookEvent({
    eventId: n.eventId,
    provider: 'mercadopago',
    type: n.type,
    action: n.action,
    resourceId: n.resourceId,
    receivedAt: n.receivedAt,
    workflowId: info.workflowId,
    runId: info.runId,
    startedAt: new Date(Date.now()).toISOString(),
  });

  let paymentId = n.resourceId;
  if (isChargeback) {
    paymentId = (await step('fetchChargeback', () => mercadopago.fetchMercadoPagoChargeback(n.resourceId))).paymentId;
    state.paymentId = paymentId;
    learnt.push({ key: PaymentId, value: paymentId });
  }
  const payment: PaymentSnapshot = await step('fetchPayment', () => mercadopago.fetchMercadoPagoPayment(paymentId));
  state.paymentStatus = payment.status;
  state.orderNumber = payment.externalReference;
  if (payment.payerEmail) learnt.push({ key: CustomerEmail, value: payment.payerEmail });
  if (payment.externalReference) learnt.push({ key: OrderNumber, value: payment.externalReference });

  const saved: SavePaymentResult = await step('savePayment', () => localPayments.savePayment(payment));

  // Independent of each other: the order hears about its payment while the CRM is being told.
  const orderNumber = payment.externalReference;
  const tellOrder = async () => {
    if (!isOrderNumber(orderNumber) || saved.outcome === 'stale') return;
    const update = paymentUpdateOf(payment);
    if (!(await signalOrder(orderNumber, update))) {
      await step('routePaymentToClosedOrder', () => routing.routePaymentToClosedOrder({ orderNumber, update }));
    }
  };
  const tellCrm = async () => {
    if (!saved.becameApproved || !payment.payerEmail) return;
    const email = payment.payerEmail;
    const contact = await step('upsertCrmContact', () => crm.upsertCrmContact({ email, firstName: payment.payerFirstName, lastName: payment.payerLastName }));
    await step('tagCrmContact', () => crm.tagCrmContact({ contactId: contact.contactId, tags: [n.crmApprovedTag] }));
  };
  await Promise.all([tellOrder(), tellCrm()]);

  state.phase = 'succeeded';
  setStatus('succeeded');
  const finishedAt = Date.now();
  await localEvents.markWebhookFinished({
    eventId: n.eventId,
    status: 'succeeded',
    succeededSteps: state.completedSteps.length,
    paymentStatus: payment.status,
    orderNumber: payment.externalReference,
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - Date.parse(n.receivedAt),
  });
  if (state.manualRetries > 0) await alerts.resolveAlert({ dedupKey: alertKey });
  return state;
}

export function paymentUpdateOf(payment: PaymentSnapshot): PaymentUpdate {
  return {
    paymentId: payment.paymentId,
    status: payment.status,
    statusDetail: payment.statusDetail,
    amount: payment.amount,
    currency: payment.currency,
    amountRefunded: payment.amountRefunded,
    dateLastUpdated: payment.dateLastUpdated,
  };
}

/** Tells the order's workflow about the payment: false when no such workflow is running (closed, or never started). */
export async function signalOrder(orderNumber: string, update: PaymentUpdate): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(orderWorkflowId(orderNumber)).signal(paymentUpdatedSignal, update);
    return true;
  } catch (err) {
    // The only failure of signalling an external workflow is that it is not running (closed, or
    // no order by that number): the caller routes the payment elsewhere.
    if (isCancellation(err)) throw err;
    return false;
  }
}
