/**
 * The commission lifecycle's timers on the time-skipping server: a 14-day hold, 48-hour approval
 * reminders and a 90-day clawback window run in seconds. Activities are in-memory doubles of the
 * MongoDB bookkeeping (the real ones run in the e2e test); the arithmetic is the real one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { commissionFor } from '../../domain/commissions/rates';
import { type CommissionInput, commissionLifecycleWorkflow, commissionStateQuery, conversionRefundedSignal, decideCommissionUpdate } from '../../contracts/commissions';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const input = (id: string, baseMinor: number, over: Partial<CommissionInput> = {}): CommissionInput => ({
  commissionId: `com_${id}`,
  conversionId: `conv_${id}`,
  affiliateId: 'af_1',
  campaignId: 'camp_1',
  conversionType: 'venta',
  baseMinor,
  currency: 'COP',
  holdMs: 14 * DAY,
  autoApproveMaxMinor: 100_000,
  reminderAfterMs: 48 * HOUR,
  clawbackWindowMs: 90 * DAY,
  ...over,
});

function doubles() {
  const events: string[] = [];
  const ledger: { kind: string; amountMinor: number }[] = [];
  const alerts: string[] = [];
  const activities = {
    async recordCommissionTransition(e: { tipo: string }) {
      events.push(e.tipo);
    },
    async calculateCommission(i: { baseMinor: number; conversionType: string }) {
      // Seed 004's example: premium affiliate 15/20 %, campaign sale 15 % → 37 500 on 250 000.
      return commissionFor(i.baseMinor, { conversionType: i.conversionType, tier: 'premium', affiliate: { baseBps: 1500, premiumBps: 2000 }, campaign: { saleBps: 1500 }, earnedInCampaign: 0 });
    },
    async appendLedgerEntry(e: { kind: string; amountMinor: number }) {
      ledger.push({ kind: e.kind, amountMinor: e.amountMinor });
    },
    async recordAlert() {
      alerts.push('reminder');
    },
    async resolveAlert() {
      alerts.push('resolved');
    },
  };
  return { activities, events, ledger, alerts };
}

const started: WorkflowHandle[] = [];
async function withWorker<T>(queue: string, activities: object, run: () => Promise<T>) {
  try {
    return await runWithWorkers(env, queue, activities, run);
  } finally {
    for (const h of started.splice(0)) await h.terminate('test finished').catch(() => undefined);
  }
}
async function start(queue: string, i: CommissionInput) {
  const h = await env.client.workflow.start(commissionLifecycleWorkflow.type, { taskQueue: queue, workflowId: `commission-${i.conversionId}`, args: [i] });
  started.push(h);
  return h;
}

test('held 14 days, then approved automatically and payable: 15 % of 250 000 COP is 37 500', async () => {
  const d = doubles();
  await withWorker('com-auto', d.activities, async () => {
    const h = await start('com-auto', input('auto', 250_000));
    await env.sleep(13 * DAY);
    assert.equal((await h.query(commissionStateQuery)).status, 'held', 'still in hold after 13 days');
    await env.sleep(2 * DAY);
    const s = await h.query(commissionStateQuery);
    assert.equal(s.status, 'payable');
    assert.equal(s.calculation?.amountMinor, 37_500);
    assert.equal(s.decision?.automatic, true);
    assert.deepEqual(d.ledger, [{ kind: 'payable', amountMinor: 37_500 }]);
    assert.deepEqual(d.events, ['comision_creada', 'comision_calculada', 'comision_retenida', 'comision_aprobada', 'comision_pagable']);
    await env.sleep(91 * DAY);
    assert.equal((await h.result()).status, 'payable', 'closes after the clawback window');
  });
});

test('a refund inside the hold voids the commission: nothing reaches the ledger', async () => {
  const d = doubles();
  await withWorker('com-void', d.activities, async () => {
    const h = await start('com-void', input('void', 250_000));
    await env.sleep(5 * DAY);
    await h.signal(conversionRefundedSignal, { reason: 'chargeback' });
    const done = await h.result();
    assert.equal(done.status, 'voided');
    assert.equal(done.refund?.reason, 'chargeback');
    assert.deepEqual(d.ledger, []);
    assert.equal(d.events.at(-1), 'comision_anulada');
  });
});

test('above the threshold a person decides; reminded every 48 h; approval makes it payable', async () => {
  const d = doubles();
  await withWorker('com-manual', d.activities, async () => {
    const h = await start('com-manual', input('manual', 2_000_000)); // 300 000 > 100 000
    await env.sleep(14 * DAY + HOUR);
    assert.equal((await h.query(commissionStateQuery)).status, 'pending_approval');
    assert.deepEqual(d.alerts, []);
    await env.sleep(49 * HOUR);
    assert.deepEqual(d.alerts, ['reminder']);
    await env.sleep(48 * HOUR);
    assert.deepEqual(d.alerts, ['reminder', 'reminder']);
    const s = await h.executeUpdate(decideCommissionUpdate, { args: [{ approved: true, by: 'admin', comment: 'ok' }] });
    assert.equal(s.status, 'approved');
    await env.sleep(HOUR);
    const after = await h.query(commissionStateQuery);
    assert.equal(after.status, 'payable');
    assert.equal(after.remindersSent, 2);
    assert.deepEqual(d.alerts, ['reminder', 'reminder', 'resolved']);
    assert.deepEqual(d.ledger, [{ kind: 'payable', amountMinor: 300_000 }]);
    const err = await h.executeUpdate(decideCommissionUpdate, { args: [{ approved: false, by: 'admin' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'NotAwaitingApproval', 'a decision after the fact is refused');
  });
});

test('a rejected commission never reaches the ledger', async () => {
  const d = doubles();
  await withWorker('com-reject', d.activities, async () => {
    const h = await start('com-reject', input('reject', 2_000_000));
    await env.sleep(14 * DAY + HOUR);
    await h.executeUpdate(decideCommissionUpdate, { args: [{ approved: false, by: 'admin', comment: 'fraud' }] });
    const done = await h.result();
    assert.equal(done.status, 'rejected');
    assert.deepEqual(d.ledger, []);
  });
});

test('a refund after it became payable books a negative entry (clawback), never an edit', async () => {
  const d = doubles();
  await withWorker('com-claw', d.activities, async () => {
    const h = await start('com-claw', input('claw', 250_000));
    await env.sleep(30 * DAY);
    await h.signal(conversionRefundedSignal, { reason: 'order cancelled' });
    const done = await h.result();
    assert.equal(done.status, 'clawed_back');
    assert.deepEqual(d.ledger, [
      { kind: 'payable', amountMinor: 37_500 },
      { kind: 'clawback', amountMinor: -37_500 },
    ]);
    assert.equal(d.events.at(-1), 'comision_revertida');
  });
});
