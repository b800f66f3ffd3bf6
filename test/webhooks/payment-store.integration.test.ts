/** The payment projection's monotonic, race-safe upsert, on real FerretDB. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPaymentStoreActivities } from '../../activities/mongodb/payments';
import type { PaymentSnapshot, SavePaymentResult } from '../../contracts/webhooks';
import { ensureIndexes } from '../../domain/persistence/models';
import { Payment } from '../../domain/persistence/models/payment';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { integrationServers, type IntegrationServers } from '../harness/servers';

let servers: IntegrationServers;
const store = createPaymentStoreActivities();
/** Runs savePayment as an activity of workflow `owner` (its claims are per workflow). */
const savePayment = (p: PaymentSnapshot, owner = 'webhook-mp-1'): Promise<SavePaymentResult> =>
  new MockActivityEnvironment({ workflowExecution: { workflowId: owner, runId: 'run-1' } } as never).run(store.savePayment, p);
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('payments') });
  await ensureIndexes();
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

const snap = (id: string, status: string, at: string): PaymentSnapshot => ({ paymentId: id, status, amount: 199.99, amountRefunded: 0, currency: 'BRL', dateLastUpdated: at });

test('an older snapshot processed late never regresses the stored state', async () => {
  assert.equal((await savePayment(snap('p1', 'pending', '2026-11-22T10:00:00.000Z'))).outcome, 'inserted');
  const approved = await savePayment(snap('p1', 'approved', '2026-11-22T10:05:00.000Z'));
  assert.deepEqual(approved, { outcome: 'updated', previousStatus: 'pending', becameApproved: true });
  const late = await savePayment(snap('p1', 'pending', '2026-11-22T10:00:00.000Z'), 'webhook-mp-2');
  assert.deepEqual(late, { outcome: 'stale', previousStatus: 'approved', becameApproved: false });
  const same = await savePayment(snap('p1', 'approved', '2026-11-22T10:05:00.000Z'), 'webhook-mp-3');
  assert.equal(same.outcome, 'stale', 'the same version twice is not a change');
  assert.equal(same.becameApproved, false, 'another workflow does not get the approval again');
  const retried = await savePayment(snap('p1', 'approved', '2026-11-22T10:05:00.000Z'), 'webhook-mp-1');
  assert.equal(retried.becameApproved, true, 'a retry of the claiming workflow still sees its claim');
  const doc = await Payment.findOne({ paymentId: 'p1' }).lean();
  assert.equal(doc?.status, 'approved');
  assert.equal(doc?.amountMinor, 19999);
});

test('20 concurrent workflows writing the approval: exactly one claims the transition', async () => {
  await savePayment(snap('p2', 'pending', '2026-11-22T11:00:00.000Z'));
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => savePayment(snap('p2', 'approved', '2026-11-22T11:01:00.000Z'), `webhook-mp-c${i}`)));
  assert.equal(results.filter((r) => r.becameApproved).length, 1);
  assert.ok(results.every((r) => r.outcome !== 'inserted'));
  assert.equal(await Payment.countDocuments({ paymentId: 'p2' }), 1);
  assert.equal((await Payment.findOne({ paymentId: 'p2' }).lean())?.status, 'approved');
});

test('concurrent first writers of a new payment: one inserts, the rest are stale, one document', async () => {
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => savePayment(snap('p3', 'approved', '2026-11-22T12:00:00.000Z'), `webhook-mp-n${i}`)));
  assert.equal(results.filter((r) => r.outcome === 'inserted').length, 1);
  assert.equal(results.filter((r) => r.becameApproved).length, 1);
  assert.equal(await Payment.countDocuments({ paymentId: 'p3' }), 1);
});
