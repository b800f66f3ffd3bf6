/**
 * Records workflow histories for the replay tests: runs each workflow for real (dev server,
 * FerretDB, provider sandbox, real activities) and writes its history under test/histories/.
 * Re-record only when a workflow change is meant to be incompatible (and version the workflow);
 * otherwise the old histories must keep replaying.
 * Usage: node --import tsx test/histories/record.ts <version tag, e.g. v3> [name prefixes, e.g. order-,ops-incident]
 * (with a prefix, only the histories of the workflows that changed are written)
 * Keep the older files: they are what executions started by earlier code look like.
 */
import '../harness/quiet-sdk';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import { parseConfig } from '../../common/config';
import { ensureIndexes } from '../../domain/persistence/models';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { activitiesFor } from '../../workers/task-queues';
import { attemptRecorder } from '../../workers/attempt-recorder';
import { createSandboxApp } from '../../sandbox/app';
import { newPayment } from '../../sandbox/mercadopago';
import { type MercadoPagoNotification, mercadoPagoNotificationWorkflow, notificationStateQuery, retrySignal } from '../../contracts/webhooks';
import { startServers } from '../harness/servers';
import { applyStockChange } from '../../domain/catalog/stock';
import { startSmtpSink } from '../../sandbox/smtp-sink';
import { Affiliate } from '../../domain/persistence/models/affiliate';
import { Campaign } from '../../domain/persistence/models/campaign';
import { Coupon } from '../../domain/persistence/models/coupon';
import { Product } from '../../domain/persistence/models/product';
import { addCartItemUpdate, cartCheckedOutUpdate, cartQuery, clearCartUpdate, customerCartWorkflow, removeCartItemUpdate, setCartQuantityUpdate, type CartInput } from '../../contracts/cart';
import { type CommissionInput, commissionLifecycleWorkflow, commissionPayoutBatchWorkflow, commissionStateQuery, conversionRefundedSignal, decideCommissionUpdate } from '../../contracts/commissions';
import { freePort } from '../../infra/processes';
import {
  acknowledgeUpdate,
  alertFiredSignal,
  attachExecutionUpdate,
  executionRecoveredSignal,
  type IncidentInput,
  incidentLifecycleWorkflow,
  incidentQuery,
  joinIncidentUpdate,
  resolveSignal,
  resolveUpdate,
} from '../../contracts/ops';
import { checkoutUpdate, closedOrderPaymentsWorkflow, fulfillmentUpdate, orderCheckoutWorkflow, type OrderInput, orderStateQuery, paymentUpdatedSignal } from '../../contracts/orders';

const TAG = process.argv[2];
const ONLY = process.argv[3];

async function save(handle: WorkflowHandle, name: string) {
  if (ONLY && !ONLY.split(',').some((prefix) => name.startsWith(prefix))) return;
  const out = path.join(__dirname, `${name}.${TAG}.json`);
  // Canonical proto3 JSON, the same form `temporal workflow show --output json` writes.
  writeFileSync(out, historyToJSON(await handle.fetchHistory()) + '\n');
  console.log(`wrote ${out}`);
}

async function main() {
  if (!/^v\d+$/.test(TAG ?? '')) throw new Error('usage: record.ts <version tag like v2>');
  const servers = await startServers();
  const { app, state } = createSandboxApp({ mercadoPagoAccessToken: 'record-token', mercadoPagoWebhookSecret: 'record-secret', ghlAccessToken: 'record-ghl', ghlLocationId: 'loc' });
  const sandbox = app.listen(0, '127.0.0.1');
  await new Promise((r) => sandbox.once('listening', r));
  const base = `http://127.0.0.1:${(sandbox.address() as AddressInfo).port}`;
  const smtp = await startSmtpSink({ port: await freePort() });
  const config = parseConfig({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    MERCADOPAGO_BASE_URL: `${base}/mercadopago`,
    MERCADOPAGO_ACCESS_TOKEN: 'record-token',
    GHL_BASE_URL: `${base}/gohighlevel`,
    GHL_ACCESS_TOKEN: 'record-ghl',
    GHL_LOCATION_ID: 'loc',
    SLACK_WEBHOOK_URL: `${base}/slack/incoming-webhook`,
    TWILIO_API_URL: `${base}/twilio`,
    BACKUP_DIR: path.join(require('node:os').tmpdir(), `pagosflow-record-backups-${process.pid}`),
    GHL_CLIENT_ID: 'record-client',
    GHL_CLIENT_SECRET: 'record-secret',
    GHL_REFRESH_TOKEN: 'sandbox-refresh-token',
  });
  try {
    await connectMongo({ MONGODB_URI: servers.mongoUri('record') });
    await ensureIndexes();
    const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
    const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }) });
    const worker = (taskQueue: 'ops' | 'webhooks' | 'orders' | 'gohighlevel' | 'commissions') =>
      Worker.create({
        connection: nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('../../workflows'),
        activities: activitiesFor(taskQueue, config),
        interceptors: taskQueue === 'webhooks' ? { activity: [attemptRecorder] } : undefined,
      });

    // GoHighLevel activities run on their own queue: its worker serves every recording below.
    const crmWorker = await worker('gohighlevel');
    const crmRunning = crmWorker.run();
    const ops = await worker('ops');
    const health = await client.workflow.start('dependencyHealthCheck', { taskQueue: 'ops', workflowId: 'recorded-health-check' });
    await ops.runUntil(health.result());

    // Ops (issue 6): a health monitor run that finds MercadoPago down (opening its incident), a
    // metrics snapshot, a verified backup, retention, a GoHighLevel token refresh, and an incident
    // escalated, acknowledged, re-triggered by its ack timeout and resolved.
    state.faults.push({ provider: 'mercadopago', path: '/v1/payment_methods', kind: 'error', status: 503, remaining: -1 });
    const opsRuns = await (await worker('ops')).runUntil(async () => {
      const run = async (type: string) => {
        const h = await client.workflow.start(type, { taskQueue: 'ops', workflowId: `recorded-${type}` });
        await h.result();
        return h;
      };
      const monitor = await run('healthMonitor');
      state.faults = [];
      const down = client.workflow.getHandle('incident-dependency-down:mercadopago');
      await down.signal(resolveSignal, { by: 'recorder' });
      await down.result();
      const incidentInput: IncidentInput = {
        alert: { dedupKey: 'recorded', rule: 'webhook_error_rate', severity: 'critical', title: 'Recorded incident', message: 'recorded', source: 'recorder', firedAt: new Date().toISOString() },
        escalation: { respondMinutes: 0.02, escalateMinutes: 0.04, channels: ['email', 'slack'] },
        levels: 3,
        ackTimeoutMinutes: 0.05,
      };
      const incident = await client.workflow.start(incidentLifecycleWorkflow.type, { taskQueue: 'ops', workflowId: 'incident-recorded', args: [incidentInput] });
      while ((await incident.query(incidentQuery)).level < 2) await new Promise((r) => setTimeout(r, 200));
      await incident.signal(alertFiredSignal, { ...incidentInput.alert, message: 'again' });
      await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'recorder' }] });
      while ((await incident.query(incidentQuery)).status !== 'triggered') await new Promise((r) => setTimeout(r, 200));
      await incident.executeUpdate(resolveUpdate, { args: [{ by: 'recorder', note: 'done' }] });
      await incident.result();
      return { monitor, incident, metrics: await run('metricsSnapshot'), backup: await run('databaseBackup'), retention: await run('opsRetention'), refresh: await run('goHighLevelTokenRefresh'), digest: await run('weeklyDigest') };
    });
    await save(opsRuns.monitor, 'ops-health-monitor-provider-down');
    await save(opsRuns.incident, 'ops-incident-escalated-acked-retriggered');
    await save(opsRuns.metrics, 'ops-metrics-snapshot');
    await save(opsRuns.backup, 'ops-database-backup');
    await save(opsRuns.retention, 'ops-retention');
    await save(opsRuns.refresh, 'ops-ghl-token-refresh');
    await save(opsRuns.digest, 'ops-weekly-digest');
    await save(health, 'dependency-health-check');

    // The notification's fullest path: CRM down (Retry-After: 1 s keeps the four attempts short),
    // failed, waiting, manual retry, resumed at the failed step, succeeded.
    const payment = newPayment(state, { status: 'approved', external_reference: 'R-1', payer: { email: 'replay@example.com' } });
    state.faults.push({ provider: 'gohighlevel', path: '/contacts/upsert', kind: 'error', status: 503, retryAfterSeconds: 1, remaining: -1 });
    const webhooks = await worker('webhooks');
    const n: MercadoPagoNotification = { eventId: 'mp-recorded', source: 'webhook', type: 'payment', action: 'payment.updated', resourceId: String(payment.id), receivedAt: new Date().toISOString(), crmApprovedTag: 'pago-aprobado' };
    const notification = await client.workflow.start(mercadoPagoNotificationWorkflow.type, { taskQueue: 'webhooks', workflowId: 'recorded-mercadopago-notification', args: [n] });
    await webhooks.runUntil(async () => {
      while ((await notification.query(notificationStateQuery)).phase !== 'failed') await new Promise((r) => setTimeout(r, 200));
      state.faults = [];
      await notification.signal(retrySignal);
      await notification.result();
    });
    await save(notification, 'mercadopago-notification-retry');

    // Rate-limited (issue 16): GoHighLevel answers 429 twice; the step waits (durable timers, at
    // least Retry-After) and goes on without spending its failure schedule.
    const limitedPayment = newPayment(state, { status: 'approved', payer: { email: 'limited@example.com' } });
    state.faults.push({ provider: 'gohighlevel', path: '/contacts/upsert', kind: 'rate-limit', retryAfterSeconds: 1, remaining: 2 });
    const limited = await client.workflow.start(mercadoPagoNotificationWorkflow.type, {
      taskQueue: 'webhooks',
      workflowId: 'recorded-mercadopago-notification-rate-limited',
      args: [{ ...n, eventId: 'mp-recorded-429', resourceId: String(limitedPayment.id) }],
    });
    await (await worker('webhooks')).runUntil(limited.result());
    state.faults = [];
    await save(limited, 'mercadopago-notification-rate-limited');

    // A grouped incident (issue 16): executions join by update, one is attached twice, all
    // recover and it resolves itself.
    const grouped = await (await worker('ops')).runUntil(async () => {
      const member = (i: number) => ({ key: `webhook-failed:rec-${i}`, workflowId: `webhook-rec-${i}`, at: new Date().toISOString(), summary: `rec-${i} failed` });
      const firing = (i: number) => ({ dedupKey: 'webhook-failed:mercadopago:recorded', rule: 'webhook_processing_failed', severity: 'high' as const, title: 'Recorded group', message: `rec-${i}`, source: `webhook-rec-${i}`, firedAt: new Date().toISOString(), member: member(i), resolvesWithMembers: true });
      const h = await client.workflow.start(incidentLifecycleWorkflow.type, {
        taskQueue: 'ops',
        workflowId: 'incident-webhook-failed:mercadopago:recorded',
        args: [{ alert: firing(1), escalation: { respondMinutes: 60, escalateMinutes: 120, channels: ['email', 'slack'] }, levels: 3, ackTimeoutMinutes: 60 } satisfies IncidentInput],
      });
      await h.executeUpdate(joinIncidentUpdate, { args: [firing(2)] });
      await h.executeUpdate(attachExecutionUpdate, { args: [member(3)] });
      await h.executeUpdate(attachExecutionUpdate, { args: [member(3)] });
      for (const i of [1, 2, 3]) await h.signal(executionRecoveredSignal, { key: `webhook-failed:rec-${i}`, at: new Date().toISOString() });
      await h.result();
      return h;
    });
    await save(grouped, 'ops-incident-grouped');

    // The order's fullest path: reserve, payment link, a payment reported twice (redelivery), a
    // duplicate payment refunded, CRM failing → manual retry, then processing → shipped → delivered.
    const orders = await worker('orders');
    await applyStockChange({ sku: 'REC-1', kind: 'initial', quantity: 5, opKey: 'init:REC-1' });
    const input: OrderInput = {
      orderNumber: 'PF-RECORDED0001',
      customer: { id: 'u-rec', email: 'replay@example.com', name: 'Ana Replay' },
      items: [{ sku: 'REC-1', name: 'Recorded', quantity: 2, unitPriceMinor: 1000_50, lineTotalMinor: 2001_00 }],
      currency: 'ARS',
      totalMinor: 2001_00,
      shippingAddress: { street: 'Calle 1', city: 'Córdoba', postal_code: 'X5000', country: 'AR' },
      affiliateCode: 'AFF-REC',
      createdAt: new Date().toISOString(),
      paymentTimeoutMs: 60_000,
      latePaymentWindowMs: 1_000,
      crm: { pipelineId: 'p', paidTag: 'pedido-pagado', cancelledTag: 'pedido-cancelado' },
    };
    const order = await client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'orders', workflowId: `order-${input.orderNumber}`, args: [input] });
    await orders.runUntil(async () => {
      await order.executeUpdate(checkoutUpdate);
      state.faults.push({ provider: 'gohighlevel', path: '/opportunities/upsert', kind: 'error', status: 401, remaining: -1 });
      const paid = newPayment(state, { status: 'approved', transaction_amount: 2001, currency_id: 'ARS', external_reference: input.orderNumber });
      const update = { paymentId: String(paid.id), status: 'approved', amount: 2001, currency: 'ARS', dateLastUpdated: paid.date_last_updated };
      await order.signal(paymentUpdatedSignal, update);
      await order.signal(paymentUpdatedSignal, update);
      const second = newPayment(state, { status: 'approved', transaction_amount: 2001, currency_id: 'ARS', external_reference: input.orderNumber });
      await order.signal(paymentUpdatedSignal, { ...update, paymentId: String(second.id), dateLastUpdated: second.date_last_updated });
      while ((await order.query(orderStateQuery)).failedSteps.length === 0) await new Promise((r) => setTimeout(r, 200));
      state.faults = [];
      await order.signal(retrySignal);
      await order.executeUpdate(fulfillmentUpdate, { args: [{ status: 'processing', by: 'recorder' }] });
      await order.executeUpdate(fulfillmentUpdate, { args: [{ status: 'shipped', trackingNumber: 'TRK-1', by: 'recorder' }] });
      await order.executeUpdate(fulfillmentUpdate, { args: [{ status: 'delivered', by: 'recorder' }] });
      await order.result();
    });
    await save(order, 'order-checkout-delivered');

    // Timed out, released, then a late payment refunded inside the late window.
    const late = await client.workflow.start(orderCheckoutWorkflow.type, {
      taskQueue: 'orders',
      workflowId: 'order-PF-RECORDED0002',
      args: [{ ...input, orderNumber: 'PF-RECORDED0002', affiliateCode: undefined, paymentTimeoutMs: 1_000, latePaymentWindowMs: 3_000 }],
    });
    await (await worker('orders')).runUntil(async () => {
      await late.executeUpdate(checkoutUpdate);
      while ((await late.query(orderStateQuery)).status !== 'cancelled') await new Promise((r) => setTimeout(r, 100));
      const p = newPayment(state, { status: 'approved', transaction_amount: 2001, currency_id: 'ARS', external_reference: 'PF-RECORDED0002' });
      await late.signal(paymentUpdatedSignal, { paymentId: String(p.id), status: 'approved', amount: 2001, currency: 'ARS', dateLastUpdated: p.date_last_updated });
      await late.result();
    });
    await save(late, 'order-checkout-late-payment');

    // Refused for stock: the refusal is answered once the order is recorded `rejected`.
    const refused = await client.workflow.start(orderCheckoutWorkflow.type, {
      taskQueue: 'orders',
      workflowId: 'order-PF-RECORDED0004',
      args: [{ ...input, orderNumber: 'PF-RECORDED0004', affiliateCode: undefined, items: [{ ...input.items[0], quantity: 500, lineTotalMinor: 500 * input.items[0].unitPriceMinor }], totalMinor: 500 * input.items[0].unitPriceMinor }],
    });
    await (await worker('orders')).runUntil(async () => {
      await refused.executeUpdate(checkoutUpdate).catch(() => undefined);
      await refused.result();
    });
    await save(refused, 'order-checkout-refused');

    // Issue 15: a paid order refunded from MercadoPago's panel (told twice) → refunded, restocked,
    // commission voided, one email, then the late window.
    const outside = await client.workflow.start(orderCheckoutWorkflow.type, {
      taskQueue: 'orders',
      workflowId: 'order-PF-RECORDED0003',
      args: [{ ...input, orderNumber: 'PF-RECORDED0003', latePaymentWindowMs: 1_000 }],
    });
    await (await worker('orders')).runUntil(async () => {
      await outside.executeUpdate(checkoutUpdate);
      const p = newPayment(state, { status: 'approved', transaction_amount: 2001, currency_id: 'ARS', external_reference: 'PF-RECORDED0003' });
      const approved = { paymentId: String(p.id), status: 'approved', amount: 2001, amountRefunded: 0, currency: 'ARS', dateLastUpdated: p.date_last_updated };
      await outside.signal(paymentUpdatedSignal, approved);
      while ((await outside.query(orderStateQuery)).status !== 'confirmed') await new Promise((r) => setTimeout(r, 100));
      const refunded = { ...approved, status: 'refunded', amountRefunded: 2001, dateLastUpdated: new Date(Date.parse(p.date_last_updated) + 60_000).toISOString() };
      await outside.signal(paymentUpdatedSignal, refunded);
      await outside.signal(paymentUpdatedSignal, refunded);
      await outside.result();
    });
    await save(outside, 'order-checkout-outside-refund');

    // Issue 15: a second payment for the delivered (closed) order PF-RECORDED0001 reaches the
    // webhook pipeline: the signal fails, it is routed to order-payments-PF-RECORDED0001, which
    // refunds it (duplicate_payment) and closes after its idle time.
    const duplicate = newPayment(state, { status: 'approved', transaction_amount: 2001, currency_id: 'ARS', external_reference: input.orderNumber, payer: { email: 'replay@example.com' } });
    const routed = await client.workflow.start(mercadoPagoNotificationWorkflow.type, {
      taskQueue: 'webhooks',
      workflowId: 'recorded-mercadopago-notification-closed-order',
      args: [{ ...n, eventId: 'mp-recorded-closed-order', resourceId: String(duplicate.id) }],
    });
    await (await worker('webhooks')).runUntil(routed.result());
    await save(routed, 'mercadopago-notification-closed-order');
    const closedPayments = await client.workflow.signalWithStart(closedOrderPaymentsWorkflow.type, {
      taskQueue: 'orders',
      workflowId: 'recorded-order-payments',
      args: [{ orderNumber: input.orderNumber, idleMs: 1_000 }],
      signal: paymentUpdatedSignal,
      signalArgs: [{ paymentId: String(duplicate.id), status: 'approved', amount: 2001, amountRefunded: 0, currency: 'ARS', dateLastUpdated: duplicate.date_last_updated }],
    });
    await (await worker('orders')).runUntil(async () => {
      // The one started by the pipeline, and this one (fixed id, short idle) for the recording.
      await closedPayments.result();
      await client.workflow.getHandle(`order-payments-${input.orderNumber}`).terminate('recorded elsewhere').catch(() => undefined);
    });
    await save(closedPayments, 'order-closed-payments-duplicate');

    // Issue 17: orders with a coupon (patched 'coupon-redemption'): one paid and delivered (the
    // redemption kept), one timed out before payment (released), one refused (coupon used up).
    const recNow = new Date();
    await Product.collection.insertOne({ _id: 'REC-2', name: 'Recorded cart item', priceMinor: 1000_50, currency: 'ARS', active: true, createdAt: recNow, updatedAt: recNow } as never);
    await applyStockChange({ sku: 'REC-2', kind: 'initial', quantity: 20, opKey: 'init:REC-2' });
    await Coupon.collection.insertMany([
      { _id: 'REC10', type: 'percent', percent: 10, minOrderMinor: 0, usageLimit: 5, active: true, createdAt: recNow, updatedAt: recNow },
      { _id: 'RECONE', type: 'percent', percent: 10, minOrderMinor: 0, usageLimit: 1, active: true, createdAt: recNow, updatedAt: recNow },
    ] as never[]);
    const couponItems = [{ sku: 'REC-2', name: 'Recorded cart item', quantity: 2, unitPriceMinor: 1000_50, lineTotalMinor: 2001_00 }];
    const withCoupon = (orderNumber: string, code: string): OrderInput => ({
      ...input,
      orderNumber,
      affiliateCode: undefined,
      items: couponItems,
      subtotalMinor: 2001_00,
      discountMinor: 200_10,
      totalMinor: 1800_90,
      coupon: { code, discountMinor: 200_10 },
      fromCart: true,
      latePaymentWindowMs: 1_000,
    });
    const couponPaid = await client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'orders', workflowId: 'order-PF-RECORDED0005', args: [withCoupon('PF-RECORDED0005', 'REC10')] });
    await (await worker('orders')).runUntil(async () => {
      await couponPaid.executeUpdate(checkoutUpdate);
      const p = newPayment(state, { status: 'approved', transaction_amount: 1800.9, currency_id: 'ARS', external_reference: 'PF-RECORDED0005' });
      await couponPaid.signal(paymentUpdatedSignal, { paymentId: String(p.id), status: 'approved', amount: 1800.9, amountRefunded: 0, currency: 'ARS', dateLastUpdated: p.date_last_updated });
      while ((await couponPaid.query(orderStateQuery)).status !== 'confirmed') await new Promise((r) => setTimeout(r, 100));
      await couponPaid.executeUpdate(fulfillmentUpdate, { args: [{ status: 'processing', by: 'recorder' }] });
      await couponPaid.executeUpdate(fulfillmentUpdate, { args: [{ status: 'shipped', trackingNumber: 'TRK-5', by: 'recorder' }] });
      await couponPaid.executeUpdate(fulfillmentUpdate, { args: [{ status: 'delivered', by: 'recorder' }] });
      await couponPaid.result();
    });
    await save(couponPaid, 'order-checkout-coupon-paid');
    const couponReleased = await client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'orders', workflowId: 'order-PF-RECORDED0006', args: [{ ...withCoupon('PF-RECORDED0006', 'RECONE'), paymentTimeoutMs: 1_000 }] });
    await (await worker('orders')).runUntil(async () => {
      await couponReleased.executeUpdate(checkoutUpdate);
      await couponReleased.result();
    });
    await save(couponReleased, 'order-checkout-coupon-released');
    // RECONE's one use is back; take it, then a second order is refused for the coupon.
    const couponTaken = await client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'orders', workflowId: 'order-PF-RECORDED0007', args: [{ ...withCoupon('PF-RECORDED0007', 'RECONE'), paymentTimeoutMs: 60_000 }] });
    const couponRefused = await client.workflow.start(orderCheckoutWorkflow.type, { taskQueue: 'orders', workflowId: 'order-PF-RECORDED0008', args: [withCoupon('PF-RECORDED0008', 'RECONE')] });
    await (await worker('orders')).runUntil(async () => {
      await couponTaken.executeUpdate(checkoutUpdate);
      await couponRefused.executeUpdate(checkoutUpdate).catch(() => undefined);
      await couponRefused.result();
      await couponTaken.terminate('recorded elsewhere');
    });
    await save(couponRefused, 'order-checkout-coupon-refused');

    // Issue 17: a customer's cart: added to (update-with-start), changed, reminded once when
    // abandoned, checked out into an order, emptied, and closed once idle.
    const cartStart = new WithStartWorkflowOperation(customerCartWorkflow.type, {
      workflowId: 'cart-u-rec',
      taskQueue: 'orders',
      args: [{ customer: { id: 'u-rec', email: 'replay@example.com', name: 'Ana Replay' }, abandonedAfterMs: 1_500, idleCloseMs: 2_000 } satisfies CartInput],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await (await worker('orders')).runUntil(async () => {
      await client.workflow.executeUpdateWithStart(addCartItemUpdate, { args: [{ sku: 'REC-2', quantity: 1 }], startWorkflowOperation: cartStart });
      const cart = client.workflow.getHandle('cart-u-rec');
      await cart.executeUpdate(addCartItemUpdate, { args: [{ sku: 'REC-1', quantity: 1 }] });
      await cart.executeUpdate(setCartQuantityUpdate, { args: [{ sku: 'REC-2', quantity: 2 }] });
      await cart.executeUpdate(setCartQuantityUpdate, { args: [{ sku: 'REC-2', quantity: 0 }] }).catch(() => undefined);
      await cart.executeUpdate(removeCartItemUpdate, { args: [{ sku: 'REC-1' }] });
      while ((await cart.query(cartQuery)).reminders === 0) await new Promise((r) => setTimeout(r, 200));
      await cart.executeUpdate(cartCheckedOutUpdate, { args: [{ orderNumber: 'PF-RECORDED0005', items: [{ sku: 'REC-2', quantity: 1 }] }] });
      await cart.executeUpdate(cartCheckedOutUpdate, { args: [{ orderNumber: 'PF-RECORDED0005', items: [{ sku: 'REC-2', quantity: 1 }] }] });
      await cart.executeUpdate(clearCartUpdate);
      await cart.result();
    });
    await save(client.workflow.getHandle('cart-u-rec'), 'cart-customer-reminded');

    // Commissions: above the auto-approval threshold → reminder → approved by update → payable →
    // refunded → clawback; and the payout batch over the ledger it left.
    const now = new Date();
    await Affiliate.collection.insertOne({ _id: 'af_rec', code: 'AFREC', name: 'Rec', email: 'rec@example.com', tier: 'premium', currency: 'COP', commission: { baseBps: 1500, premiumBps: 2000, minimumPayoutMinor: 1 }, status: 'active', createdAt: now, updatedAt: now } as never);
    await Campaign.collection.insertOne({ _id: 'camp_rec', name: 'Rec', startsAt: now, endsAt: new Date(now.getTime() + 86_400_000), budgetMinor: 1, currency: 'COP', channels: [], commission: { saleBps: 1500 }, status: 'active', createdAt: now, updatedAt: now } as never);
    const commissions = await worker('commissions');
    const ci: CommissionInput = { commissionId: 'com_rec', conversionId: 'conv_rec', affiliateId: 'af_rec', campaignId: 'camp_rec', conversionType: 'venta', baseMinor: 1_000_000, currency: 'COP', holdMs: 500, autoApproveMaxMinor: 1000, reminderAfterMs: 1500, clawbackWindowMs: 60_000 };
    const commission = await client.workflow.start(commissionLifecycleWorkflow.type, { taskQueue: 'commissions', workflowId: 'commission-conv_rec', args: [ci] });
    const batch = await commissions.runUntil(async () => {
      while ((await commission.query(commissionStateQuery)).remindersSent === 0) await new Promise((r) => setTimeout(r, 200));
      await commission.executeUpdate(decideCommissionUpdate, { args: [{ approved: true, by: 'recorder' }] });
      while ((await commission.query(commissionStateQuery)).status !== 'payable') await new Promise((r) => setTimeout(r, 100));
      await commission.signal(conversionRefundedSignal, { reason: 'recorded refund' });
      await commission.result();
      const b = await client.workflow.start(commissionPayoutBatchWorkflow.type, { taskQueue: 'commissions', workflowId: 'recorded-payout-batch', args: [{ period: '2026-11' }] });
      await b.result();
      return b;
    });
    await save(commission, 'commission-lifecycle-manual-clawback');
    await save(batch, 'commission-payout-batch');

    crmWorker.shutdown();
    await crmRunning;
    await nativeConnection.close();
    await client.connection.close();
    await disconnectMongo();
  } finally {
    sandbox.close();
    await smtp.close();
    await servers.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
