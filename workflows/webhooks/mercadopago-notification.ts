import { patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CustomerEmail, OrderNumber, PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { ManualRetry } from '../shared/manual-retry';
import { CHARGEBACK_TOPIC, notificationStateQuery, type MercadoPagoNotification, type NotificationState, type PaymentSnapshot, type SavePaymentResult } from '../../contracts/webhooks';
import { alerts, crm, events, mercadopago, payments, routing } from './notification-activities';
import { paymentUpdateOf, processNotificationLean, signalOrder } from './notification-lean';

/**
 * Version 1 of the notification workflow, kept for the executions it started (new deliveries start
 * version 2, ./mercadopago-notification-v2.ts; remove this type once none of its executions can be
 * open and its recorded histories are retired with it).
 *
 * One verified MercadoPago notification, processed to completion exactly once in effect:
 * fetch the payment (the truth) → save it monotonically → on approval, upsert the CRM contact and
 * tag it → tell the order's workflow. A step whose retries are exhausted marks the event failed,
 * raises an alert and waits for a `retry` signal; the retry resumes at that step, and steps already
 * done are not repeated (their results live in this workflow's history).
 */
export async function processMercadoPagoNotification(n: MercadoPagoNotification): Promise<NotificationState> {
  // Executions started by earlier code replay the course below; new ones take the lean path.
  if (patched('lean-history')) return processNotificationLean(n, { announceProcessing: true });
  const info = workflowInfo();
  const state: NotificationState = { eventId: n.eventId, phase: 'processing', completedSteps: [], manualRetries: 0, paymentId: n.resourceId };
  setHandler(notificationStateQuery, () => state);

  // A chargebacks-topic notification names the chargeback case; its payment id is known once fetched.
  const isChargeback = n.type === CHARGEBACK_TOPIC;
  upsertSearchAttributes([
    { key: Provider, value: 'mercadopago' },
    { key: WebhookStatus, value: 'processing' },
    ...(isChargeback ? [] : [{ key: PaymentId, value: n.resourceId }]),
  ]);

  const alertKey = `webhook-failed:${n.eventId}`;

  // A failed step waits for a person's `retry` (the signal's handler is ManualRetry's).
  const retries = new ManualRetry({
    async onFailed(name, error) {
      state.phase = 'failed';
      state.failedStep = name;
      state.lastError = error;
      upsertSearchAttributes([{ key: WebhookStatus, value: 'failed' }]);
      await events.markWebhookFailed({ eventId: n.eventId, step: name, error });
      await alerts.recordAlert({
        dedupKey: alertKey,
        rule: 'webhook_processing_failed',
        severity: 'high',
        message: `MercadoPago notification ${n.eventId} failed at ${name}: ${error}`,
        source: info.workflowId,
        details: { eventId: n.eventId, paymentId: n.resourceId, step: name },
      });
    },
    async onRetrying() {
      state.manualRetries++;
      state.phase = 'processing';
      upsertSearchAttributes([{ key: WebhookStatus, value: 'processing' }]);
      await events.markWebhookRetrying({ eventId: n.eventId });
    },
  });

  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const result = await retries.step(name, run);
    state.completedSteps.push(name);
    return result;
  }

  await events.openWebhookEvent({
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
    // The payment is processed like any payment notification: its state says charged_back.
    paymentId = (await step('fetchChargeback', () => mercadopago.fetchMercadoPagoChargeback(n.resourceId))).paymentId;
    state.paymentId = paymentId;
    upsertSearchAttributes([{ key: PaymentId, value: paymentId }]);
  }
  const payment: PaymentSnapshot = await step('fetchPayment', () => mercadopago.fetchMercadoPagoPayment(paymentId));
  state.paymentStatus = payment.status;
  state.orderNumber = payment.externalReference;
  upsertSearchAttributes([
    ...(payment.payerEmail ? [{ key: CustomerEmail, value: payment.payerEmail }] : []),
    ...(payment.externalReference ? [{ key: OrderNumber, value: payment.externalReference }] : []),
  ]);

  const saved: SavePaymentResult = await step('savePayment', () => payments.savePayment(payment));

  // The order hears about its payment before the CRM steps: a paid order must not wait behind
  // GoHighLevel's rate limit (added while executions ran the old order: patched() keeps them replayable).
  const tellOrderFirst = patched('signal-order-before-crm');
  if (tellOrderFirst && payment.externalReference && saved.outcome !== 'stale') {
    await tellOrder(payment);
  }

  // Only the one write that moved the payment into `approved` touches the CRM: several notifications
  // for one payment (created, updated, redeliveries) still tag the contact once.
  if (saved.becameApproved && payment.payerEmail) {
    const email = payment.payerEmail;
    const contact = await step('upsertCrmContact', () =>
      crm.upsertCrmContact({ email, firstName: payment.payerFirstName, lastName: payment.payerLastName }),
    );
    await step('tagCrmContact', () => crm.tagCrmContact({ contactId: contact.contactId, tags: [n.crmApprovedTag] }));
  }

  if (!tellOrderFirst && payment.externalReference && saved.outcome !== 'stale') {
    await tellOrder(payment);
  }

  /**
   * The order's workflow hears the payment; when it has closed (delivered, cancelled long ago) or
   * never existed, the payment goes to the workflow that exists to receive it (signal-with-start of
   * `order-payments-<number>`), never dropped (added while executions ran the old code: patched()).
   */
  async function tellOrder(p: PaymentSnapshot): Promise<void> {
    const update = paymentUpdateOf(p);
    if (!(await signalOrder(p.externalReference!, update)) && patched('route-payments-of-closed-orders')) {
      const orderNumber = p.externalReference!;
      await step('routePaymentToClosedOrder', () => routing.routePaymentToClosedOrder({ orderNumber, update }));
    }
  }

  state.phase = 'succeeded';
  upsertSearchAttributes([{ key: WebhookStatus, value: 'succeeded' }]);
  const finishedAt = Date.now();
  await events.markWebhookFinished({
    eventId: n.eventId,
    status: 'succeeded',
    succeededSteps: state.completedSteps.length,
    paymentStatus: payment.status,
    orderNumber: payment.externalReference,
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - Date.parse(n.receivedAt),
  });
  // Added after executions were already running: patched() keeps their histories replayable.
  if (state.manualRetries > 0 && patched('resolve-alert-on-recovery')) {
    await alerts.resolveAlert({ dedupKey: alertKey });
  }
  return state;
}

