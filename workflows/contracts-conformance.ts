/**
 * Build-time proof that every workflow reference in contracts/ names a workflow this bundle
 * exports, with the signature the reference declares (starters type their calls with it). Types
 * only: nothing here is bundled or run. A renamed workflow, or one whose input or result changed
 * without its contract, fails `tsc` here.
 */
import type { WorkflowRef } from '../contracts/workflow-ref';
import type { commissionLifecycleWorkflow, commissionPayoutBatchWorkflow } from '../contracts/commissions';
import type { databaseBackupWorkflow, goHighLevelTokenRefreshWorkflow, healthMonitorWorkflow, incidentLifecycleWorkflow, metricsSnapshotWorkflow, opsRetentionWorkflow, weeklyDigestWorkflow } from '../contracts/ops';
import type { closedOrderPaymentsWorkflow, orderCheckoutWorkflow } from '../contracts/orders';
import type { customerCartWorkflow } from '../contracts/cart';
import type { mercadoPagoNotificationWorkflow } from '../contracts/webhooks';
import type { reconcilePaymentsWorkflow } from '../contracts/reconciliation';
import type * as Bundle from '.';

type Exported = typeof Bundle;
type Conforms<R> = R extends WorkflowRef<infer N, infer F> ? (N extends keyof Exported ? (Exported[N] extends F ? true : false) : false) : false;
type Assert<T extends true> = T;

export type ContractsConform = [
  Assert<Conforms<typeof mercadoPagoNotificationWorkflow>>,
  Assert<Conforms<typeof orderCheckoutWorkflow>>,
  Assert<Conforms<typeof closedOrderPaymentsWorkflow>>,
  Assert<Conforms<typeof commissionLifecycleWorkflow>>,
  Assert<Conforms<typeof commissionPayoutBatchWorkflow>>,
  Assert<Conforms<typeof incidentLifecycleWorkflow>>,
  Assert<Conforms<typeof healthMonitorWorkflow>>,
  Assert<Conforms<typeof metricsSnapshotWorkflow>>,
  Assert<Conforms<typeof databaseBackupWorkflow>>,
  Assert<Conforms<typeof opsRetentionWorkflow>>,
  Assert<Conforms<typeof goHighLevelTokenRefreshWorkflow>>,
  Assert<Conforms<typeof weeklyDigestWorkflow>>,
  Assert<Conforms<typeof reconcilePaymentsWorkflow>>,
  Assert<Conforms<typeof customerCartWorkflow>>,
];
