/**
 * Bundle entry: every workflow of every task queue. Every task-queue worker loads the same bundle;
 * which workflows run on which queue is decided by the starter's `taskQueue`.
 */
export { healthMonitor } from './ops/health-monitor';
export { metricsSnapshot } from './ops/metrics-snapshot';
export { incidentLifecycle } from './ops/incident';
export { databaseBackup } from './ops/database-backup';
export { opsRetention } from './ops/ops-retention';
export { goHighLevelTokenRefresh } from './ops/gohighlevel-token-refresh';
export { weeklyDigest } from './ops/weekly-digest';
export { processMercadoPagoNotificationV2 } from './webhooks/mercadopago-notification-v2';
// Version 1: started by earlier deployments; runs its open executions to the end.
export { processMercadoPagoNotification } from './webhooks/mercadopago-notification';
export { reconcilePayments } from './payments/reconcile-payments';
export { orderCheckout } from './orders/order-checkout';
export { closedOrderPayments } from './orders/closed-order-payments';
export { customerCart } from './orders/cart';
export { commissionLifecycle } from './commissions/commission-lifecycle';
export { commissionPayoutBatch } from './commissions/payout-batch';
// Retired: no longer started by anything; kept so the executions its recorded histories describe replay.
export { dependencyHealthCheck } from './retired/dependency-health-check';
