import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { createCommissionStoreActivities } from '../../activities/mongodb/commissions';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import { CommissionStatus } from '../../contracts/search-attributes';
import { retriedUntilDone } from '../retry-policies';
import {
  NOT_AWAITING_APPROVAL,
  commissionStateQuery,
  conversionRefundedSignal,
  decideCommissionSignal,
  decideCommissionUpdate,
  type ApprovalDecision,
  type CommissionStatusName,
  type CommissionInput,
  type CommissionView,
} from '../../contracts/commissions';

// Everything here is MongoDB bookkeeping that must eventually happen: retried until it does.
const store = proxyActivities<ReturnType<typeof createCommissionStoreActivities>>(retriedUntilDone);
// The one alert path (activities/temporal/alerting.ts): paged at once, retried until it is.
const alerts = proxyActivities<ReturnType<typeof createAlertingActivities>>(retriedUntilDone);

/**
 * One conversion's commission (seed 004), `commission-<conversionId>`: calculate → hold (a refund
 * inside it voids) → approve (automatic up to a threshold, otherwise a person, reminded after 48 h)
 * → payable as a ledger entry → for the clawback window, a refund books a negative entry (never an
 * edit). Every transition is appended to the event log.
 */
export async function commissionLifecycle(input: CommissionInput): Promise<CommissionView> {
  const now = () => new Date().toISOString();
  const state: CommissionView = {
    commissionId: input.commissionId,
    conversionId: input.conversionId,
    affiliateId: input.affiliateId,
    campaignId: input.campaignId,
    status: 'created',
    baseMinor: input.baseMinor,
    currency: input.currency,
    remindersSent: 0,
    revision: 0,
    createdAt: now(),
    updatedAt: now(),
  };
  let decision: ApprovalDecision | undefined;
  let refunded = false;

  setHandler(commissionStateQuery, () => state);
  setHandler(conversionRefundedSignal, ({ reason }) => {
    if (refunded) return;
    refunded = true;
    state.refund = { reason, at: now() };
  });
  setHandler(decideCommissionSignal, (d) => {
    if (state.status === 'pending_approval') decision ??= d;
  });
  setHandler(
    decideCommissionUpdate,
    async (d) => {
      decision ??= d;
      await condition(() => state.status !== 'pending_approval');
      return state;
    },
    {
      validator: (_d: ApprovalDecision) => {
        if (state.status !== 'pending_approval') {
          throw ApplicationFailure.create({ type: NOT_AWAITING_APPROVAL, message: `commission ${input.commissionId} is ${state.status}, not pending approval`, details: [{ current: state.status }] });
        }
      },
    },
  );

  async function moveTo(status: CommissionStatusName, event: string) {
    state.status = status;
    state.updatedAt = now();
    state.revision++;
    upsertSearchAttributes([{ key: CommissionStatus, value: status }]);
    await store.recordCommissionTransition({ tipo: event, view: { ...state } });
  }
  async function finish() {
    await condition(allHandlersFinished);
    return state;
  }

  await moveTo('created', 'comision_creada');
  state.calculation = await store.calculateCommission({
    commissionId: input.commissionId,
    affiliateId: input.affiliateId,
    campaignId: input.campaignId,
    conversionType: input.conversionType,
    baseMinor: input.baseMinor,
  });
  await moveTo('calculated', 'comision_calculada');

  state.holdUntil = new Date(Date.now() + input.holdMs).toISOString();
  await moveTo('held', 'comision_retenida');
  if (await condition(() => refunded, input.holdMs)) {
    await moveTo('voided', 'comision_anulada');
    return finish();
  }

  if (state.calculation.amountMinor <= input.autoApproveMaxMinor) {
    decision = { approved: true, by: 'system', comment: `automatic: up to ${input.autoApproveMaxMinor} minor units` };
    state.decision = { ...decision, at: now(), automatic: true };
  } else {
    await moveTo('pending_approval', 'comision_pendiente_aprobacion');
    const reminderKey = `commission-approval-pending:${input.commissionId}`;
    while (!(await condition(() => decision !== undefined || refunded, input.reminderAfterMs))) {
      state.remindersSent++;
      await alerts.recordAlert({
        dedupKey: reminderKey,
        rule: 'commission_approval_pending',
        severity: 'low',
        message: `Commission ${input.commissionId} (${input.currency} ${state.calculation.amountMinor} minor units) has waited for approval ${state.remindersSent} × the reminder interval`,
        source: `commission-${input.conversionId}`,
        details: { commissionId: input.commissionId, affiliateId: input.affiliateId, remindersSent: state.remindersSent },
      });
    }
    if (state.remindersSent > 0) await alerts.resolveAlert({ dedupKey: reminderKey });
    if (refunded) {
      await moveTo('voided', 'comision_anulada');
      return finish();
    }
    state.decision = { ...decision!, at: now(), automatic: false };
    if (!decision!.approved) {
      await moveTo('rejected', 'comision_rechazada');
      return finish();
    }
  }
  await moveTo('approved', 'comision_aprobada');

  const entry = { commissionId: input.commissionId, affiliateId: input.affiliateId, campaignId: input.campaignId, currency: input.currency };
  await store.appendLedgerEntry({ ...entry, kind: 'payable', amountMinor: state.calculation.amountMinor });
  await moveTo('payable', 'comision_pagable');

  if (await condition(() => refunded, input.clawbackWindowMs)) {
    await store.appendLedgerEntry({ ...entry, kind: 'clawback', amountMinor: -state.calculation.amountMinor });
    await moveTo('clawed_back', 'comision_revertida');
  }
  return finish();
}
