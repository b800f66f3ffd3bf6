/** Signals, queries, updates and types of the commission workflows, shared by the API and workflows. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

/** Started by domain/commissions/conversions.ts, one per conversion. */
export const commissionLifecycleWorkflow = workflowRef<(input: CommissionInput) => Promise<CommissionView>>()('commissionLifecycle', TASK_QUEUE.commissions);
/** Started by its monthly Schedule (workers/schedules.ts) or by an admin (api/routes/commissions.ts). */
export const commissionPayoutBatchWorkflow = workflowRef<(input?: { period?: string }) => Promise<PayoutBatchResult>>()('commissionPayoutBatch', TASK_QUEUE.commissions);

export const COMMISSION_STATUSES = ['created', 'calculated', 'held', 'pending_approval', 'approved', 'payable', 'paid', 'voided', 'rejected', 'clawed_back'] as const;
export type CommissionStatusName = (typeof COMMISSION_STATUSES)[number];

export interface CommissionInput {
  commissionId: string;
  conversionId: string;
  affiliateId: string;
  campaignId: string;
  conversionType: string;
  baseMinor: number;
  currency: string;
  holdMs: number;
  autoApproveMaxMinor: number;
  reminderAfterMs: number;
  clawbackWindowMs: number;
}

export interface CommissionCalculation {
  amountMinor: number;
  rateBps: number;
  bonusBps: number;
  capped: boolean;
}

export interface CommissionView {
  commissionId: string;
  conversionId: string;
  affiliateId: string;
  campaignId: string;
  status: CommissionStatusName;
  baseMinor: number;
  currency: string;
  calculation?: CommissionCalculation;
  holdUntil?: string;
  decision?: { by: string; approved: boolean; comment?: string; at: string; automatic: boolean };
  refund?: { reason: string; at: string };
  remindersSent: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApprovalDecision {
  approved: boolean;
  by: string;
  comment?: string;
}

/** The sale behind the conversion was refunded or charged back: void inside the hold, claw back after. */
export const conversionRefundedSignal = defineSignal<[{ reason: string }]>('conversionRefunded');
/** A person's approve/reject (API, or `temporal workflow update execute --name decide`). */
export const decideCommissionUpdate = defineUpdate<CommissionView, [ApprovalDecision]>('decide');
/** The same decision as a signal, for tctl and `temporal workflow signal --name decision`. */
export const decideCommissionSignal = defineSignal<[ApprovalDecision]>('decision');
export const commissionStateQuery = defineQuery<CommissionView>('state');

export const commissionWorkflowId = (conversionId: string) => `commission-${conversionId}`;
export const commissionIdOf = (conversionId: string) => `com_${conversionId.replace(/^conv_/, '')}`;
export const NOT_AWAITING_APPROVAL = 'NotAwaitingApproval';

/** The payout batch workflow's result. */
export interface PayoutBatchResult {
  period: string;
  payouts: { payoutId: string; affiliateId: string; amountMinor: number; currency: string }[];
  below_minimum: { affiliateId: string; balanceMinor: number; currency: string; minimumMinor: number }[];
  csvRows: number;
}
