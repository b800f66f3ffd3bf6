/**
 * Reconciliation end to end, on the product's own processes: the sandbox's MercadoPago loses 30 %
 * of its notifications (seeded) for ~40 mixed payments (approved, rejected, approved then refunded
 * in full from MercadoPago's panel). One reconciliation run, triggered through the API, leaves
 * every payment stored at its final state, and the daily report counts what it found; a second run
 * finds nothing to do and changes nothing (no new events, no second CRM tag).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { SANDBOX_SECRETS } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { RECONCILIATION_SCHEDULE_ID, type ReconciliationResult } from '../../contracts/reconciliation';
import { localDay } from '../../domain/persistence/counters';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const KEY = 'reconciliation-e2e-admin-key-01';
const auth = { authorization: `Bearer ${KEY}` };
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
let admin: ReturnType<typeof sandboxAdmin>;

before(async () => {
  // No grace: the payments made just before the triggered run are in its window.
  ctx = await e2eContext({ env: { API_KEYS: KEY, RECONCILIATION_GRACE_SECONDS: '0' } });
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (p: string) => `${stack.apiUrl}/api/v1${p}`;

async function createPreference(i: number, unitPrice: number, currency = 'ARS') {
  const res = await fetch(`${stack.sandboxUrl}/mercadopago/checkout/preferences`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SANDBOX_SECRETS.MERCADOPAGO_ACCESS_TOKEN}`, 'content-type': 'application/json' },
    // No external_reference: payments outside any order (no order workflow reacts to them).
    body: JSON.stringify({ items: [{ id: `recon-${i}`, title: `Recon ${i}`, quantity: 1, unit_price: unitPrice, currency_id: currency }], notification_url: `${stack.apiUrl}/webhooks/mercadopago` }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

/** Triggers reconciliation through the API and waits for the Schedule's run to finish. */
async function runReconciliation(): Promise<ReconciliationResult> {
  const handle = temporal.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
  const before = (await handle.describe()).info.recentActions.length;
  const res = await http('POST', api('/reconciliation/run'), { headers: auth });
  assert.equal(res.status, 202, res.text);
  return waitFor(
    'the reconciliation run',
    async () => {
      const actions = (await handle.describe()).info.recentActions;
      assert.ok(actions.length > before, 'not started yet');
      const run = actions[actions.length - 1].action.workflow;
      return temporal.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result() as Promise<ReconciliationResult>;
    },
    { timeoutMs: 180_000 },
  );
}

const tagCalls = async () => (await admin.calls({ provider: 'gohighlevel', path: '/tags' })).count;

test('30 % of notifications lost: one reconciliation run stores every payment at its final state; a second changes nothing', async () => {
  await admin.dropWebhooks({ probability: 0.3, seed: 20261201 });
  const N = 40;
  const amounts: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const unit = 1000 + i * 10 + 0.25;
    amounts.push(unit);
    const pref = await createPreference(i, unit);
    const kind = i % 3; // 0 approved, 1 rejected, 2 approved then refunded in full from the panel
    const paid = await admin.payPreference(pref, { status: kind === 1 ? 'rejected' : 'approved', payer_email: `recon-${i}@example.com` });
    ids.push(String(paid.payment.id));
    if (kind === 2) await admin.refundFromDashboard(paid.payment.id);
  }
  const sent = await admin.notifications({ topic: 'payment' });
  assert.ok(sent.dropped >= 5 && sent.dropped <= 25, `about 30 % dropped: ${sent.dropped} of ${sent.count}`);
  await admin.clearWebhookDrops();

  // The delivered notifications are processed (their events succeed) before reconciliation runs.
  const delivered = sent.notifications.filter((n) => !n.dropped).map((n) => `mp-${n.body.id}`);
  await waitFor('delivered notifications processed', async () => assert.equal(await db.collection('webhook_events').countDocuments({ _id: { $in: delivered as never[] }, status: 'succeeded' }), delivered.length), { timeoutMs: 180_000 });

  const final = new Map<string, string>();
  for (const id of ids) final.set(id, ((await (await fetch(`${stack.sandboxUrl}/mercadopago/v1/payments/${id}`, { headers: { authorization: `Bearer ${SANDBOX_SECRETS.MERCADOPAGO_ACCESS_TOKEN}` } })).json()) as { status: string }).status);
  const storedStatus = async () => new Map((await db.collection('payments').find({}, { projection: { status: 1 } }).toArray()).map((p) => [String(p._id), p.status as string]));
  const beforeRun = await storedStatus();
  const wrong = ids.filter((id) => beforeRun.get(id) !== final.get(id));
  assert.ok(wrong.length > 0, 'some payments are missing or stale before reconciliation');
  const missingBefore = ids.filter((id) => !beforeRun.has(id)).length;

  const first = await runReconciliation();
  assert.equal(first.counts.seen, N, JSON.stringify(first.counts));
  assert.equal(first.counts.missing, missingBefore);
  assert.equal(first.counts.missing + first.counts.stale, wrong.length);
  assert.equal(first.counts.dispatched, wrong.length);
  assert.equal(first.drift, true);
  await waitFor('every payment stored at its final state', async () => {
    const stored = await storedStatus();
    assert.deepEqual(ids.filter((id) => stored.get(id) !== final.get(id)), []);
  }, { timeoutMs: 120_000 });
  const statuses = [...final.values()];
  assert.ok(statuses.includes('approved') && statuses.includes('rejected') && statuses.includes('refunded'));

  // The daily report counts the run, with exact minor-unit sums per currency.
  const day = localDay(new Date(first.startedAt), DEFAULT_TIMEZONE).day;
  const report = await http('GET', api(`/reconciliation/reports/${day}`), { headers: auth });
  assert.equal(report.status, 200, report.text);
  assert.equal(report.body.runs, 1);
  assert.equal(report.body.seen, N);
  assert.equal(report.body.missing, first.counts.missing);
  assert.equal(report.body.stale, first.counts.stale);
  assert.equal(report.body.fixed, first.counts.fixed);
  assert.equal(report.body.by_currency.ARS.seen, N);
  assert.equal(report.body.by_currency.ARS.seen_amount_minor, amounts.reduce((s, a) => s + Math.round(a * 100), 0));
  assert.equal(report.body.runs_list.length, 1);
  const list = await http('GET', api(`/reconciliation/reports?from=${day}&to=${day}`), { headers: auth });
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1);
  const bad = await http('GET', api('/reconciliation/reports?from=2026-13-01'), { headers: auth });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'from');

  // Let the CRM lanes finish, then run again: nothing to do, nothing done twice.
  const approvedClaims = async () => db.collection('payment_transitions').countDocuments({ status: 'approved' });
  await waitFor('CRM tags of the approvals', async () => assert.equal(await tagCalls(), await approvedClaims()), { timeoutMs: 120_000 });
  const tagsBefore = await tagCalls();
  const eventsBefore = await db.collection('webhook_events').countDocuments({});
  const second = await runReconciliation();
  assert.equal(second.counts.seen, N, 'the overlapping window sees them all again');
  assert.deepEqual([second.counts.missing, second.counts.stale, second.counts.dispatched], [0, 0, 0]);
  assert.equal(second.drift, false);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await tagCalls(), tagsBefore, 'no second CRM tag');
  assert.equal(await db.collection('webhook_events').countDocuments({}), eventsBefore, 'no new event');
  const stored = await storedStatus();
  assert.deepEqual(ids.filter((id) => stored.get(id) !== final.get(id)), []);
  // Every payment approved in our projection's history was tagged once.
  const contacts = await admin.contacts();
  for (const c of contacts) assert.ok(c.tags.filter((t) => t === 'pago-aprobado').length <= 1);
  const afterTwo = await http('GET', api(`/reconciliation/reports/${day}`), { headers: auth });
  assert.equal(afterTwo.body.runs, 2);
  assert.equal(afterTwo.body.drift_runs, 1);
});

const MP = { authorization: `Bearer ${SANDBOX_SECRETS.MERCADOPAGO_ACCESS_TOKEN}` };
const cents = (n: number) => Math.round(n * 100);

test('money truth: 200 mixed payments (approved, rejected, refunded in part and in full, from the panel and by API, charged back) with 30 % of notifications lost — after one run every payment is stored at its final state and gross, refunded, charged back and net per currency equal MercadoPago\'s own sums to the minor unit', async () => {
  await admin.dropWebhooks({ probability: 0.3, seed: 15 });
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const currency = i % 2 === 0 ? 'ARS' : 'BRL';
    const pref = await createPreference(1000 + i, 100 + i * 3 + 0.37, currency);
    const kind = i % 7;
    const paid = await admin.payPreference(pref, { status: kind === 1 ? 'rejected' : 'approved', payer_email: `truth-${i}@example.com` });
    const id = paid.payment.id;
    ids.push(String(id));
    if (kind === 2) await admin.refundFromDashboard(id, { amount: 10.01 }); // partial, from the panel
    if (kind === 3) await admin.refundFromDashboard(id); // full, from the panel
    if (kind === 4) {
      await admin.refundFromDashboard(id, { amount: 5.5 });
      await admin.refundFromDashboard(id, { amount: 1.25 }); // two partial refunds
    }
    if (kind === 5) await admin.chargeback(id);
    if (kind === 6) {
      // A refund by API (as our refund activity makes them), partial.
      const r = await fetch(`${stack.sandboxUrl}/mercadopago/v1/payments/${id}/refunds`, { method: 'POST', headers: { ...MP, 'content-type': 'application/json', 'x-idempotency-key': `truth-${id}` }, body: JSON.stringify({ amount: 20 }) });
      assert.equal(r.status, 201, await r.text());
    }
  }
  await admin.clearWebhookDrops();
  const lost = await admin.notifications({ dropped: true });
  assert.ok(lost.dropped > 20, `notifications lost: ${lost.dropped}`);

  const result = await runReconciliation();
  assert.ok(result.counts.missing + result.counts.stale > 0, 'the run found what the lost notifications left behind');

  // MercadoPago's own record of every payment in the sandbox (this test's and the one before).
  const all: any[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await (await fetch(`${stack.sandboxUrl}/mercadopago/v1/payments/search?limit=1000&offset=${offset}&begin_date=NOW-1DAYS&end_date=NOW`, { headers: MP })).json()) as any;
    all.push(...page.results);
    if (all.length >= page.paging.total) break;
  }
  const collected = (p: any) => ['approved', 'refunded', 'charged_back', 'in_mediation'].includes(p.status);
  const sums: Record<string, { gross: number; refunded: number; chargedBack: number }> = {};
  for (const p of all) {
    const s = (sums[p.currency_id] ??= { gross: 0, refunded: 0, chargedBack: 0 });
    if (!collected(p)) continue;
    const refunded = (p.refunds ?? []).filter((r: any) => r.status === 'approved').reduce((n: number, r: any) => n + cents(r.amount), 0);
    s.gross += cents(p.transaction_amount);
    s.refunded += refunded;
    if (p.status === 'charged_back' && p.status_detail !== 'reimbursed') s.chargedBack += cents(p.transaction_amount) - refunded;
  }

  await waitFor('every payment stored at MercadoPago\'s final state, refunds included', async () => {
    const stored = new Map((await db.collection('payments').find({}).toArray()).map((p) => [String(p._id), p]));
    const off = all.filter((p) => {
      const s = stored.get(String(p.id));
      return !s || s.status !== p.status || s.refundedMinor !== (p.refunds ?? []).filter((r: any) => r.status === 'approved').reduce((n: number, r: any) => n + cents(r.amount), 0);
    });
    assert.deepEqual(off.map((p) => p.id), []);
  }, { timeoutMs: 180_000 });

  await waitFor('the figures equal MercadoPago\'s sums', async () => {
    const f = (await http('GET', api('/dashboard/metrics/realtime'), { headers: auth })).body.data;
    for (const [cur, s] of Object.entries(sums)) {
      assert.equal(cents(f.processed_today[cur] ?? 0), s.gross, `${cur} gross`);
      assert.equal(cents(f.refunded_today[cur] ?? 0), s.refunded, `${cur} refunded`);
      assert.equal(cents(f.charged_back_today[cur] ?? 0), s.chargedBack, `${cur} charged back`);
      assert.equal(cents(f.net_processed_today[cur] ?? 0), s.gross - s.refunded - s.chargedBack, `${cur} net`);
    }
  }, { timeoutMs: 60_000 });
});
