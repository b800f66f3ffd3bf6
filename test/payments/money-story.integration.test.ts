/**
 * The payment projection carries the whole money story, and the revenue figures are net of it:
 * refunds (partial, ours and made outside us, each counted once by its id however many
 * notifications mention it), chargebacks (and their reimbursement), a payment first seen already
 * refunded. On real FerretDB, through the store the webhook workflow uses and the metrics snapshot
 * the dashboard reads; every figure checked to the minor unit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPaymentStoreActivities } from '../../activities/mongodb/payments';
import { parseConfig } from '../../common/config';
import type { PaymentRefund, PaymentSnapshot } from '../../contracts/webhooks';
import { issuedRefunds } from '../../domain/payments/issued-refunds';
import { moneyStory } from '../../domain/payments/money-story';
import { metricsSnapshots } from '../../domain/ops/metrics-snapshot';
import { ensureIndexes } from '../../domain/persistence/models';
import { Payment } from '../../domain/persistence/models/payment';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { integrationServers, type IntegrationServers } from '../harness/servers';

let servers: IntegrationServers;
const store = createPaymentStoreActivities();
let seq = 0;
const save = (p: PaymentSnapshot) => new MockActivityEnvironment({ workflowExecution: { workflowId: `webhook-mp-${++seq}`, runId: 'r' } } as never).run(store.savePayment, p);
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('money') });
  await ensureIndexes();
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

let clock = Date.now() - 60_000;
const tick = () => new Date((clock += 1000)).toISOString();
const payment = (id: string, amount: number, currency: string, status: string, over: Partial<PaymentSnapshot> = {}): PaymentSnapshot => ({
  paymentId: id,
  status,
  amount,
  amountRefunded: 0,
  currency,
  dateLastUpdated: tick(),
  ...over,
});
const refund = (refundId: string, amount: number, status = 'approved'): PaymentRefund => ({ refundId, amount, dateCreated: new Date(clock).toISOString(), sourceType: 'collector', status });

test('moneyStory: collected, refunded (rejected refunds ignored), charged back, reimbursed, net — in minor units', () => {
  const s = moneyStory(payment('x', 1000.1, 'ARS', 'approved', { statusDetail: 'partially_refunded', refunds: [refund('r1', 250.05), refund('r2', 10, 'rejected')] }), new Set(['r1']));
  assert.deepEqual([s.collectedMinor, s.refundedMinor, s.chargedBackMinor, s.netMinor], [100010, 25005, 0, 75005]);
  assert.equal(s.refunds.length, 1);
  assert.equal(s.refunds[0].initiatedBy, 'pagos-flow');
  const cb = moneyStory(payment('y', 300, 'ARS', 'charged_back', { statusDetail: 'settled', refunds: [refund('r3', 100)] }), new Set());
  assert.deepEqual([cb.collectedMinor, cb.refundedMinor, cb.chargedBackMinor, cb.netMinor], [30000, 10000, 20000, 0]);
  const won = moneyStory(payment('z', 80, 'ARS', 'charged_back', { statusDetail: 'reimbursed' }), new Set());
  assert.deepEqual([won.chargedBackMinor, won.netMinor], [0, 8000]);
  const rejected = moneyStory(payment('w', 50, 'ARS', 'rejected'), new Set());
  assert.deepEqual([rejected.collectedMinor, rejected.netMinor], [0, 0]);
  assert.equal(moneyStory(payment('c', 12345, 'COP', 'approved'), new Set()).collectedMinor, 12345, 'COP has no minor units at MercadoPago');
});

test('the projection and the revenue buckets carry refunds and chargebacks, each once, and net equals the sum of the stories to the minor unit', async () => {
  // A: approved; an outside partial refund mentioned by three notifications; then our own refund.
  await save(payment('A', 1000.1, 'ARS', 'approved'));
  const outside = refund('rA1', 250.05);
  for (let i = 0; i < 3; i++) await save(payment('A', 1000.1, 'ARS', 'approved', { statusDetail: 'partially_refunded', amountRefunded: 250.05, refunds: [outside] }));
  await issuedRefunds().announce({ paymentId: 'A', reason: 'late_payment' });
  const ours = refund('rA2', 100);
  await issuedRefunds().record({ paymentId: 'A', refundId: 'rA2' });
  await save(payment('A', 1000.1, 'ARS', 'approved', { statusDetail: 'partially_refunded', amountRefunded: 350.05, refunds: [outside, ours] }));
  // An older notification processed late changes nothing (monotonic), and counts nothing again.
  await save({ ...payment('A', 1000.1, 'ARS', 'approved', { refunds: [outside] }), dateLastUpdated: new Date(clock - 10_000).toISOString() });

  // B: first seen already refunded in full (its approval never notified): gross and refund both count.
  await save(payment('B', 500, 'BRL', 'refunded', { statusDetail: 'refunded', amountRefunded: 500, refunds: [refund('rB1', 500)] }));
  // C: approved, then charged back; D: rejected; E: charged back, then MercadoPago decides for us.
  await save(payment('C', 300, 'ARS', 'approved'));
  await save(payment('C', 300, 'ARS', 'charged_back', { statusDetail: 'settled' }));
  await save(payment('C', 300, 'ARS', 'charged_back', { statusDetail: 'settled' }));
  await save(payment('D', 50, 'ARS', 'rejected'));
  await save(payment('E', 80, 'ARS', 'approved'));
  await save(payment('E', 80, 'ARS', 'charged_back', { statusDetail: 'in_process' }));
  await save(payment('E', 80, 'ARS', 'charged_back', { statusDetail: 'reimbursed' }));

  const a = await Payment.findById('A').lean<any>();
  assert.deepEqual([a.refundedMinor, a.chargedBackMinor, a.netMinor], [35005, 0, 65005]);
  assert.deepEqual(a.refunds.map((r: any) => [r.refundId, r.amountMinor, r.initiatedBy]), [['rA1', 25005, 'outside'], ['rA2', 10000, 'pagos-flow']]);
  const docs = await Payment.find({}).lean<any[]>();
  const stored = (cur: string, f: string) => docs.filter((d) => d.currency === cur).reduce((n, d) => n + d[f], 0);

  const config = parseConfig({} as NodeJS.ProcessEnv);
  const { snapshot } = await metricsSnapshots(config).computeMetricsSnapshot();
  const f = snapshot.financials;
  assert.deepEqual(f.total_processed_today, { ARS: 1380.1, BRL: 500 }, 'gross: A + C + E, and B');
  assert.deepEqual(f.refunded_today, { ARS: 350.05, BRL: 500 }, 'each refund once');
  assert.deepEqual(f.charged_back_today, { ARS: 380 });
  assert.deepEqual(f.net_processed_today, { ARS: 730.05, BRL: 0 });
  assert.deepEqual(f.net_processed_month, f.net_processed_today);
  assert.equal(f.refunds_today, 3);
  assert.equal(f.chargebacks_today, 2);
  // The dashboard's net is the sum of the projections' own net, to the minor unit.
  assert.equal(Math.round(f.net_processed_today.ARS * 100), stored('ARS', 'netMinor'));
  assert.equal(Math.round(f.net_processed_today.BRL * 100), stored('BRL', 'netMinor'));
  assert.equal(f.payments_approved, 3, 'the payment-failure rule still counts approvals (A, C, E)');
  assert.equal(f.payments_rejected, 1);
});
