/**
 * reconcilePayments on the time-skipping server, with its real activities against real FerretDB
 * and the sandbox's MercadoPago in process: the windows (first-run lookback, overlap with the
 * previous window, consecutive windows on the server's clock), missing and stale payments sent
 * through the real webhook pipeline workflow, and the drift alert (raised on the third drifting run
 * in a row, once; cleared by a clean run).
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createMercadoPagoActivities } from '../../activities/mercadopago/activities';
import { createReconciliationActivities } from '../../activities/mercadopago/reconciliation';
import { createPaymentStoreActivities, createWebhookEventActivities } from '../../activities/mongodb/payments';
import { createAlertingActivities } from '../../activities/temporal/alerting';
import { parseConfig } from '../../common/config';
import { RECONCILIATION_DRIFT_ALERT_KEY, reconcilePaymentsWorkflow, type ReconciliationResult } from '../../contracts/reconciliation';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { Alert } from '../../domain/persistence/models/alert';
import { Payment } from '../../domain/persistence/models/payment';
import { ReconciliationReport, ReconciliationRun, ReconciliationState } from '../../domain/persistence/models/reconciliation';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';
import { OPTS, startSandbox } from '../sandbox/helpers';

const MINUTE = 60_000;
let servers: IntegrationServers;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let admin: ReturnType<typeof sandboxAdmin>;
let env: TestWorkflowEnvironment;

before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('recon') });
  sandbox = await startSandbox();
  admin = sandboxAdmin(sandbox.base);
});
after(async () => {
  await sandbox?.close();
  await disconnectMongo();
  await servers?.stop();
});
// A fresh server (its own clock) and fresh reconciliation state per test.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
  await Promise.all([ReconciliationState.deleteMany({}), ReconciliationRun.deleteMany({}), ReconciliationReport.deleteMany({}), Alert.deleteMany({})]);
});
afterEach(async () => {
  await env?.teardown();
});

const config = (driftRuns = 3) =>
  parseConfig({
    MERCADOPAGO_BASE_URL: `${sandbox.base}/mercadopago`,
    MERCADOPAGO_ACCESS_TOKEN: OPTS.mercadoPagoAccessToken,
    RECONCILIATION_LOOKBACK_HOURS: '1',
    RECONCILIATION_OVERLAP_MINUTES: '5',
    RECONCILIATION_GRACE_SECONDS: '0',
    RECONCILIATION_DRIFT_RUNS: String(driftRuns),
  } as NodeJS.ProcessEnv);
const activities = (driftRuns?: number) => {
  const c = config(driftRuns);
  return {
    ...createMercadoPagoActivities(c),
    ...createPaymentStoreActivities(c),
    ...createWebhookEventActivities(c),
    ...createAlertingActivities(c),
    ...createReconciliationActivities(c),
  };
};
let runs = 0;
const reconcile = () => env.client.workflow.execute(reconcilePaymentsWorkflow.type, { taskQueue: 'webhooks', workflowId: `reconcile-ts-${++runs}`, args: [] }) as Promise<ReconciliationResult>;
/** Now on the server's clock (skipped ahead of the wall clock): MercadoPago's dates follow it here. */
const serverNow = async () => Number(await env.currentTimeMs());
/** A payment MercadoPago never notifies (created by the admin API: silent), dated a few seconds ago on the server's clock. */
const silentPayment = async (status = 'rejected') =>
  String((await admin.createPayment({ status, transaction_amount: 1234.5, currency_id: 'ARS', date_created: new Date((await serverNow()) - 3000).toISOString() })).id);
/** MercadoPago changes the payment without notifying anyone (dated on the server's clock). */
const silentChange = async (id: string, status: string) => {
  const p = sandbox.state.payments.get(id)!;
  p.status = status;
  p.status_detail = status;
  p.date_last_updated = new Date((await serverNow()) - 1000).toISOString();
};
const iso = (ms: number) => new Date(ms).toISOString();

test('windows: the first run looks back; each next one starts the overlap before the last end; missing and stale payments are stored through the webhook workflow', async () => {
  // No alert here (its incident workflow, with no ops worker in this test, would hold the server's clock).
  await runWithWorkers(env, 'webhooks', activities(10), async () => {
    const p1 = await silentPayment('pending');

    const first = await reconcile();
    const t1 = Date.parse(first.startedAt);
    assert.equal(first.firstRun, true);
    assert.deepEqual(first.window, { start: iso(t1 - 60 * MINUTE), end: iso(t1) }, 'first run: the lookback (1 h) up to its start');
    assert.ok(first.counts.missing >= 1 && first.counts.dispatched === first.counts.missing, JSON.stringify(first.counts));
    assert.equal(first.counts.fixed, first.counts.missing);
    assert.equal((await Payment.findById(p1).lean<any>())?.status, 'pending', 'the missing payment is stored');
    assert.equal(first.drift, true);
    assert.equal(first.consecutiveDriftRuns, 1);
    const seenFirst = first.counts.seen;

    await env.sleep(15 * MINUTE);
    const p2 = await silentPayment();
    const second = await reconcile();
    const t2 = Date.parse(second.startedAt);
    assert.ok(t2 - t1 >= 15 * MINUTE, 'on the server clock');
    assert.equal(second.firstRun, false);
    assert.deepEqual(second.window, { start: iso(t1 - 5 * MINUTE), end: iso(t2) }, 'overlap: 5 min before the previous end');
    // p1 (a few seconds before the first window's end) is inside the overlap: seen again, in sync.
    assert.equal(second.counts.seen, seenFirst + 1, JSON.stringify(second.counts));
    assert.equal(second.counts.missing, 1);
    assert.equal(second.counts.stale, 0);
    assert.equal((await Payment.findById(p2).lean<any>())?.status, 'rejected');
    assert.equal(second.consecutiveDriftRuns, 2);

    // MercadoPago moves p1 on without telling us: stale.
    await env.sleep(15 * MINUTE);
    await silentChange(p1, 'cancelled');
    const third = await reconcile();
    const t3 = Date.parse(third.startedAt);
    assert.deepEqual(third.window, { start: iso(t2 - 5 * MINUTE), end: iso(t3) });
    assert.equal(third.counts.missing, 0);
    assert.equal(third.counts.stale, 1, JSON.stringify(third.counts));
    assert.equal(third.counts.fixed, 1);
    assert.equal((await Payment.findById(p1).lean<any>())?.status, 'cancelled', 'the stale payment is stored at its new state');
    assert.equal(third.counts.byCurrency.ARS.driftAmountMinor, 123450, 'integer minor units');

    // Nothing new: a clean run, and the same payment state is never dispatched twice.
    await env.sleep(15 * MINUTE);
    const fourth = await reconcile();
    assert.equal(fourth.drift, false);
    assert.equal(fourth.consecutiveDriftRuns, 0);
    assert.equal(fourth.alert, 'cleared');
    const state = await ReconciliationState.findById('mercadopago').lean<any>();
    assert.equal(new Date(state.lastWindowEnd).toISOString(), fourth.window.end);
    assert.equal(await ReconciliationRun.countDocuments({}), 4);
  });
});

test('drift alert: three drifting runs in a row raise reconciliation_drift once; a clean run clears it', async () => {
  await runWithWorkers(env, 'webhooks', activities(), async () => {
    const results: ReconciliationResult[] = [];
    for (let i = 0; i < 3; i++) {
      await silentPayment();
      results.push(await reconcile());
      if (i === 1) assert.equal(await Alert.findById(RECONCILIATION_DRIFT_ALERT_KEY).lean(), null, 'not after two drifting runs');
      // (No sleep after the third: the incident workflow it opens has no worker here and would hold the clock.)
      if (i < 2) await env.sleep(15 * MINUTE);
    }
    assert.deepEqual(
      results.map((r) => [r.drift, r.consecutiveDriftRuns, r.alert]),
      [
        [true, 1, 'none'],
        [true, 2, 'none'],
        [true, 3, 'raised'],
      ],
    );
    const alert = await Alert.findById(RECONCILIATION_DRIFT_ALERT_KEY).lean<any>();
    assert.equal(alert.status, 'open');
    assert.equal(alert.count, 1, 'raised once');
    assert.equal(alert.rule, 'reconciliation_drift');
    assert.equal(alert.severity, 'high');
    assert.match(alert.message, /^MercadoPago notifications look broken/);
    const incident = await env.client.workflow.getHandle(`incident-${RECONCILIATION_DRIFT_ALERT_KEY}`).describe();
    assert.equal(incident.type, 'incidentLifecycle');

    // The next run (its window overlaps the third's): the payment found then is stored now, nothing new.
    const clean = await reconcile();
    assert.equal(clean.counts.seen >= 1, true);
    assert.equal(clean.drift, false);
    assert.equal(clean.consecutiveDriftRuns, 0);
    assert.equal(clean.alert, 'cleared');
    assert.equal((await Alert.findById(RECONCILIATION_DRIFT_ALERT_KEY).lean<any>()).status, 'resolved');
    assert.equal((await Alert.findById(RECONCILIATION_DRIFT_ALERT_KEY).lean<any>()).count, 1);
  });
});
