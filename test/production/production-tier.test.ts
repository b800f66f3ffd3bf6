/**
 * The production tier: a real Temporal server on PostgreSQL (SQL advanced visibility), set up by
 * infra/temporal/setup-cluster.sh as compose does; FerretDB; the sandbox; two API processes behind
 * a round-robin balancer and two worker processes polling every task queue. One start, shared by
 * the tests of this file, which run in order: the stack, the webhook pipeline through both APIs,
 * a checkout and a commission through both APIs, a worker SIGKILLed in the middle of a load, a
 * rolling upgrade of a long-lived workflow (docs/runbooks/deploy.md), and the Temporal server
 * stopped and restarted under the APIs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import mongoose from 'mongoose';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { http } from '../harness/stack';
import { startProductionTier, type ProductionTier } from '../harness/production-tier';
import { proceed, progress } from '../fixtures/deploy/shared';

const KEY = 'production-tier-api-key-0001';
const SECRET = 'production-tier-webhook-secret';
const auth = { authorization: `Bearer ${KEY}` };
const HOLD_SECONDS = 3;
let tier: ProductionTier;
let admin: ReturnType<typeof sandboxAdmin>;
let temporal: Client;
let db: mongoose.Connection;
let startedMs = 0;
const fileStart = Date.now();

before(async () => {
  const t = Date.now();
  tier = await startProductionTier({
    env: {
      API_KEYS: KEY,
      MERCADOPAGO_WEBHOOK_SECRET: SECRET,
      COMMISSION_HOLD_DAYS: String(HOLD_SECONDS / 86400),
      COMMISSION_AUTO_APPROVE_MAX_MINOR: '5000000',
      COMMISSION_CLAWBACK_WINDOW_DAYS: '1',
    },
  });
  startedMs = Date.now() - t;
  console.log(`[production tier] up in ${startedMs} ms: ${JSON.stringify(tier.timings)}`);
  admin = sandboxAdmin(tier.sandboxUrl);
  temporal = new Client({ connection: await Connection.connect({ address: tier.temporalAddress }), namespace: tier.namespace });
  db = await mongoose.createConnection(tier.mongoUri).asPromise();
});
after(async () => {
  await db?.close();
  await temporal?.connection.close();
  await tier?.stop();
  console.log(`[production tier] file took ${Date.now() - fileStart} ms (start ${startedMs} ms)`);
});

/** Alternates between the two API replicas. */
let turn = 0;
const nextApi = () => tier.apiUrls[turn++ % tier.apiUrls.length];
let notificationSeq = 7_000_000;

async function eventOf(id: string, apiUrl = nextApi()) {
  return (await http('GET', `${apiUrl}/api/v1/webhook-events/${id}`, { headers: auth })).body;
}
async function waitForEvent(id: string, status: string, timeoutMs = 120000) {
  let last: any;
  await waitFor(
    `event ${id} ${status}`,
    async () => {
      last = await eventOf(id);
      if (last?.status !== status) throw new Error(`is ${last?.status}`);
    },
    { timeoutMs, intervalMs: 300 },
  );
  return last;
}

/** Waits until every one of these webhook events succeeded (read from the database: 200 events). */
async function waitForAllSucceeded(ids: string[], timeoutMs = 240000) {
  await waitFor(
    `${ids.length} webhook events succeeded`,
    async () => {
      const n = await db.collection('webhook_events').countDocuments({ _id: { $in: ids as never[] }, status: 'succeeded' });
      if (n === ids.length) return;
      // Say which ones are missing and where they stand, so a failure here can be diagnosed.
      const done = new Set((await db.collection('webhook_events').find({ _id: { $in: ids as never[] }, status: 'succeeded' }, { projection: { _id: 1 } }).toArray()).map((e) => String(e._id)));
      const missing = ids.filter((id) => !done.has(id)).slice(0, 5);
      const states = await Promise.all(
        missing.map(async (id) => {
          const ev = await db.collection('webhook_events').findOne({ _id: id as never });
          const desc = await temporal.workflow.getHandle(`webhook-${id}`).describe().then((d) => `${d.status.name}, pending activities ${JSON.stringify((d.raw.pendingActivities ?? []).map((a) => [a.activityType?.name, a.attempt, a.lastFailure?.message]))}`, (err) => `no workflow (${(err as Error).message})`);
          return `${id}: event ${ev ? `${ev.status} ${ev.failedStep ?? ''} ${ev.lastError ?? ''}` : 'none'}; workflow ${desc}`;
        }),
      );
      throw new Error(`${n}/${ids.length} succeeded; ${states.join(' | ')}`);
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

/** Approved payments, each notified once through API 1 and once through API 2 (a redelivery). */
async function paymentsThroughBothApis(n: number, tag: string, status: 'approved' | 'pending', onSent?: (i: number) => Promise<void>) {
  const ids: string[] = [];
  const paymentIds: string[] = [];
  const answers: { first: any; second: any }[] = [];
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, async () => {
        const p = await admin.createPayment({ status, transaction_amount: 1000 + i, payer: { email: `${tag}${paymentIds.length}.${randomUUID().slice(0, 6)}@example.com` } });
        const notificationId = ++notificationSeq;
        paymentIds.push(String(p.id));
        ids.push(`mp-${notificationId}`);
        const [a, b] = paymentIds.length % 2 ? tier.apiUrls : [...tier.apiUrls].reverse();
        const first = await admin.sendWebhook({ url: `${a}/webhooks/mercadopago`, paymentId: p.id, notificationId, secret: SECRET });
        const second = await admin.sendWebhook({ url: `${b}/webhooks/mercadopago`, paymentId: p.id, notificationId, secret: SECRET });
        answers.push({ first, second });
      }),
    );
    await onSent?.(i + 20);
  }
  return { ids, paymentIds, answers };
}

test('the stack: both APIs healthy on the real Temporal server; a signed webhook through each is processed', async () => {
  for (const url of tier.apiUrls) {
    const health = await http('GET', `${url}/health`);
    assert.equal(health.status, 200, health.text);
  }
  // The namespace was registered with every search attribute by setup-cluster.sh (not by the harness).
  for (const url of tier.apiUrls) {
    const p = await admin.createPayment({ status: 'approved', transaction_amount: 2500, payer: { email: `stack.${randomUUID().slice(0, 6)}@example.com` } });
    const sent = await admin.sendWebhook({ url: `${url}/webhooks/mercadopago`, paymentId: p.id, notificationId: ++notificationSeq, secret: SECRET });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const ev = await waitForEvent(`mp-${sent.notificationId}`, 'succeeded');
    assert.equal(ev.paymentStatus, 'approved');
    const listed = [];
    for await (const wf of temporal.workflow.list({ query: `PaymentId = "${p.id}" AND WebhookStatus = "succeeded"` })) listed.push(wf.workflowId);
    assert.deepEqual(listed, [`webhook-mp-${sent.notificationId}`], 'found by search attributes on SQL visibility (PostgreSQL)');
  }
});

test('webhook pipeline: 200 payments, each notified through both APIs → 200 workflows, exactly 200 payments stored, no duplicates', async () => {
  // Pending payments: the CRM steps run only for approvals, and the sandbox's GoHighLevel keeps
  // its real limit (100 requests per 10 s); approvals and the CRM are in the next tests.
  const { ids, paymentIds, answers } = await paymentsThroughBothApis(200, 'pipe', 'pending');
  assert.ok(answers.every((a) => a.first.status === 200 && a.second.status === 200), 'every delivery answered 200');
  assert.equal(answers.filter((a) => a.first.body.duplicate === false).length, 200, 'the first delivery of each starts its workflow');
  assert.equal(answers.filter((a) => a.second.body.duplicate === true).length, 200, 'the redelivery to the other API is a duplicate');
  await waitForAllSucceeded(ids);
  const stored = await db.collection('payments').find({ paymentId: { $in: paymentIds } }).toArray();
  assert.equal(stored.length, 200);
  assert.equal(new Set(stored.map((s) => s.paymentId)).size, 200, 'no payment stored twice');
  assert.ok(stored.every((s) => s.status === 'pending'));
  // The processing was shared by both worker processes (both poll the webhooks queue).
  const mpFetches = await admin.calls({ provider: 'mercadopago', method: 'GET' });
  for (const id of paymentIds.slice(0, 20)) assert.equal(mpFetches.calls.filter((c) => c.path === `/v1/payments/${id}`).length, 1, `payment ${id} fetched once`);
});

test('checkout through both APIs: order placed on one, paid via the balancer, read on the other → confirmed, stock sold, CRM won, email', async () => {
  const [a, b] = tier.apiUrls;
  const email = `cliente.${randomUUID().slice(0, 8)}@example.com`;
  const reg = await http('POST', `${a}/auth/register`, { body: { email, password: 'contraseña-segura-1', name: 'María López' } });
  assert.equal(reg.status, 201, reg.text);
  const login = await http('POST', `${b}/auth/login`, { body: { email, password: 'contraseña-segura-1' } });
  assert.equal(login.status, 200, 'a user registered on one API signs in on the other');
  const headers = { authorization: `Bearer ${login.body.access_token}` };
  for (const [sku, price] of [['TIER-MATE', '1250.00'], ['TIER-YERBA', '899.99']]) {
    const res = await http('POST', `${a}/api/v1/products`, { headers: auth, body: { sku, name: `Producto ${sku}`, price, currency: 'ARS', stock: 5 } });
    assert.equal(res.status, 201, res.text);
  }
  const placed = await http('POST', `${b}/api/v1/orders`, {
    headers,
    body: { items: [{ sku: 'TIER-MATE', quantity: 2, price: 1 }, { sku: 'TIER-YERBA', quantity: 1 }], shipping_address: { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' } },
  });
  assert.equal(placed.status, 202, placed.text);
  assert.equal(placed.body.total, '3399.99', 'client prices are ignored');
  const number = placed.body.order_number as string;
  assert.deepEqual((await http('GET', `${a}/api/v1/products/TIER-MATE`)).body.stock, { available: 3, reserved: 2 });

  const paid = await admin.payPreference(placed.body.payment.preference_id, { payer_email: email });
  assert.equal(paid.webhook?.status, 200, 'MercadoPago notified the notification_url (the balancer)');
  let done: any;
  await waitFor(
    `order ${number} confirmed`,
    async () => {
      done = (await http('GET', `${nextApi()}/api/v1/orders/${number}`, { headers })).body;
      if (done?.status !== 'confirmed' || (done.pending_effects ?? []).length > 0) throw new Error(`is ${done?.status}`);
    },
    { timeoutMs: 120000 },
  );
  assert.equal(done.payment.status, 'paid');
  assert.equal(done.payment.payment_id, String(paid.payment.id));
  assert.deepEqual((await http('GET', `${b}/api/v1/products/TIER-MATE`)).body.stock, { available: 3, reserved: 0 });
  const opp = (await admin.opportunities()).find((o) => o.name === `Pedido ${number}`);
  assert.deepEqual([opp?.status, opp?.monetaryValue], ['won', 3399.99]);
  assert.ok((await admin.contacts()).find((x) => x.email === email)?.tags.includes('pedido-pagado'));
  await waitFor('confirmation email', async () => {
    const mail = (await admin.mail(email)).find((m) => m.subject === `Pedido ${number} confirmado`);
    if (!mail) throw new Error('not yet');
    assert.match(mail.text, /Total: ARS 3399\.99/);
  });
  const listed = [];
  for await (const wf of temporal.workflow.list({ query: `OrderNumber = "${number}" AND OrderStatus = "confirmed" AND CustomerEmail = "${email}"` })) listed.push(wf.workflowId);
  assert.deepEqual(listed, [`order-${number}`]);
});

test('commission through both APIs: conversion on one, its duplicate on the other → one commission, held, auto-approved, payable', async () => {
  const [a, b] = tier.apiUrls;
  const post = (api: string, path: string, body: unknown) => http('POST', `${api}/api/v1${path}`, { headers: auth, body, timeoutMs: 120000 });
  const af = await post(a, '/affiliates', {
    name: 'María González',
    email: `maria.${randomUUID().slice(0, 6)}@example.com`,
    phone: '+57 300 123 4567',
    document: { type: 'cedula', number: '1234567890' },
    tier: 'premium',
    currency: 'COP',
    commission: { base_percent: 15, premium_percent: 20, minimum_payout: '30000' },
    bank: { bank: 'Banco Nacional', account_type: 'ahorros', account_number: '9876543210' },
  });
  assert.equal(af.status, 201, af.text);
  const camp = await post(b, '/campaigns', {
    name: `Tier ${randomUUID().slice(0, 6)}`,
    starts_at: new Date(Date.now() - 86_400_000).toISOString(),
    ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    budget: '500000',
    currency: 'COP',
    channels: ['web'],
    commission: { conversion_percent: 15, sale_percent: 15 },
    status: 'active',
  });
  assert.equal(camp.status, 201, camp.text);
  const conversion = { external_id: `tier-${randomUUID()}`, affiliate_id: af.body.affiliate_id, campaign_id: camp.body.campaign_id, type: 'venta', value: '250000', currency: 'COP', channel: 'web' };
  const first = await post(a, '/conversions', conversion);
  assert.equal(first.status, 201, first.text);
  const again = await post(b, '/conversions', conversion);
  assert.deepEqual([again.status, again.body.duplicate, again.body.conversion_id], [200, true, first.body.conversion_id]);
  const id = first.body.commission.commission_id;
  let payable: any;
  await waitFor(
    `commission ${id} payable`,
    async () => {
      payable = (await http('GET', `${nextApi()}/api/v1/commissions/${id}`, { headers: auth })).body;
      if (payable?.status !== 'payable') throw new Error(`is ${payable?.status}`);
    },
    { timeoutMs: 120000 },
  );
  assert.deepEqual([payable.amount, payable.percent, payable.decision.automatic], ['37500', 15, true]);
  assert.ok(Date.parse(payable.hold_until) - Date.parse(first.body.created_at) >= HOLD_SECONDS * 1000 - 50, 'it was held first');
  assert.equal(await db.collection('commissions').countDocuments({ conversionId: first.body.conversion_id }), 1);
  // Visibility on a real cluster is eventually consistent: the upsert that made it payable may reach
  // the SQL visibility store a moment after the projection, so the search is polled, not read once.
  let listed: string[] = [];
  await waitFor(
    'the payable commission found by its search attributes',
    async () => {
      listed = [];
      for await (const wf of temporal.workflow.list({ query: `AffiliateId = "${af.body.affiliate_id}" AND CommissionStatus = "payable"` })) listed.push(wf.workflowId);
      if (listed.length === 0) throw new Error('not visible yet');
    },
    { timeoutMs: 30000 },
  );
  assert.deepEqual(listed, [`commission-${first.body.conversion_id}`]);
});

test('a worker SIGKILLed in the middle of a load: nothing lost, nothing doubled', async () => {
  let killed = false;
  const { ids, paymentIds } = await paymentsThroughBothApis(80, 'kill', 'approved', async (sent) => {
    if (!killed && sent >= 20) {
      killed = true;
      await tier.killWorker(0);
    }
  });
  assert.ok(killed);
  // The survivor carries the load; the killed replica comes back as an orchestrator restarts it.
  await tier.startWorker(0);
  // A task the killed process had already taken comes back after its start-to-close timeout (30 s)
  // plus the provider-call retry interval (1 min), behind the CRM queue's rate limit.
  await waitForAllSucceeded(ids, 480000);
  const stored = await db.collection('payments').find({ paymentId: { $in: paymentIds } }).toArray();
  assert.equal(stored.length, 80, 'every payment stored');
  assert.equal(new Set(stored.map((s) => s.paymentId)).size, 80, 'none twice');
  const events = await db.collection('webhook_events').find({ _id: { $in: ids as never[] } }).toArray();
  assert.equal(events.length, 80);
  const runs = new Set<string>();
  for await (const wf of temporal.workflow.list({ query: `WorkflowType = "processMercadoPagoNotificationV2" AND ExecutionStatus = "Completed"` })) runs.add(wf.workflowId);
  for (const id of ids) assert.ok(runs.has(`webhook-${id}`), `webhook-${id} completed`);
  // A CRM tag is applied once per contact even when a tagging attempt died with the worker.
  const contacts = (await admin.contacts()).filter((c) => c.email.startsWith('kill'));
  assert.equal(contacts.length, 80);
  assert.ok(contacts.every((c) => c.tags.length === 1 && c.tags[0] === 'pago-aprobado'), 'one tag each');
});

test('rolling upgrade of a long-lived workflow: executions started on build A finish on build B; new ones run B; the unpatched change is caught', async () => {
  const taskQueue = `deploy-${randomUUID().slice(0, 8)}`;
  const calls: string[] = [];
  const activities = {
    reserve: async (order: string) => (calls.push(`reserve:${order}`), 'reserved'),
    reserveWithHold: async (order: string) => (calls.push(`reserveWithHold:${order}`), 'reserved-with-hold'),
    finish: async (order: string) => (calls.push(`finish:${order}`), 'finished'),
  };
  const connection = await NativeConnection.connect({ address: tier.temporalAddress });
  // Each build bundled once, for its worker and for the replay check alike.
  const [buildA, buildB, buildBUnpatched] = await Promise.all(
    ['build-a', 'build-b', 'build-b-unpatched'].map((b) => bundleWorkflowCode({ workflowsPath: require.resolve(`../fixtures/deploy/${b}`), logger: new DefaultLogger('WARN') })),
  );
  const worker = (workflowBundle: WorkflowBundle) => Worker.create({ connection, namespace: tier.namespace, taskQueue, workflowBundle, activities });
  try {
    // Build A runs; three long-lived executions reserve and wait.
    const a = await worker(buildA);
    const aRun = a.run();
    const old = await Promise.all(['o1', 'o2', 'o3'].map((o) => temporal.workflow.start('deployProbe', { taskQueue, workflowId: `deploy-${taskQueue}-${o}`, args: [o] })));
    await waitFor('build A reserved', async () => {
      for (const h of old) if ((await h.query(progress)).length !== 1) throw new Error('not yet');
    });
    // Deploy: A drains and stops, B takes over the task queue.
    a.shutdown();
    await aRun;
    const history = await old[0].fetchHistory();
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: buildBUnpatched }, history, old[0].workflowId), DeterminismViolationError);
    await Worker.runReplayHistory({ workflowBundle: buildB }, history, old[0].workflowId);

    const b = await worker(buildB);
    const bRun = b.run();
    try {
      for (const h of old) await h.signal(proceed);
      for (const h of old) assert.deepEqual(await h.result(), ['reserved', 'finished'], 'an execution from build A keeps its path and finishes on B');
      const fresh = await temporal.workflow.start('deployProbe', { taskQueue, workflowId: `deploy-${taskQueue}-new`, args: ['n1'] });
      await waitFor('build B reserved', async () => {
        if ((await fresh.query(progress)).length !== 1) throw new Error('not yet');
      });
      await fresh.signal(proceed);
      assert.deepEqual(await fresh.result(), ['reserved-with-hold', 'finished'], 'a new execution runs build B');
    } finally {
      b.shutdown();
      await bRun;
    }
    assert.deepEqual(calls.filter((c) => c.startsWith('reserve')).sort(), ['reserve:o1', 'reserve:o2', 'reserve:o3', 'reserveWithHold:n1']);
  } finally {
    await connection.close();
  }
});

test('Temporal stopped: a webhook gets 503 + Retry-After within 5 s; restarted: accepted within 5 s and processed', async () => {
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 777, payer: { email: `outage.${randomUUID().slice(0, 6)}@example.com` } });
  await tier.stopTemporal();
  try {
    for (const url of tier.apiUrls) {
      const t = Date.now();
      const sent = await admin.sendWebhook({ url: `${url}/webhooks/mercadopago`, paymentId: p.id, notificationId: ++notificationSeq, secret: SECRET });
      const ms = Date.now() - t;
      console.log(`[production tier] webhook with Temporal down: ${sent.status} in ${ms} ms (${url})`);
      assert.equal(sent.status, 503, JSON.stringify(sent.body));
      assert.ok(ms < 5000, `answered in ${ms} ms`);
    }
    const direct = await http('POST', `${tier.apiUrls[0]}/webhooks/mercadopago?data.id=${p.id}&type=payment`, { rawBody: '{}', timeoutMs: 20000 });
    // Unsigned: refused before Temporal is needed (401), so a bad request never waits on an outage.
    assert.ok([400, 401].includes(direct.status), `unsigned → ${direct.status}`);
  } finally {
    await tier.startTemporal();
  }
  // Accepted within 5 s of the server answering again.
  const { waitForTemporal } = await import('../../infra/processes');
  await waitForTemporal(tier.temporalAddress, { proc: tier.temporal, timeoutMs: 120000 });
  const up = Date.now();
  let accepted: Awaited<ReturnType<typeof admin.sendWebhook>> | undefined;
  const notificationId = ++notificationSeq;
  while (Date.now() - up < 60000) {
    accepted = await admin.sendWebhook({ url: `${nextApi()}/webhooks/mercadopago`, paymentId: p.id, notificationId, secret: SECRET });
    if (accepted.status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const recoveredMs = Date.now() - up;
  console.log(`[production tier] accepted ${recoveredMs} ms after the server answered again`);
  assert.equal(accepted?.status, 200);
  assert.ok(recoveredMs < 5000, `accepted after ${recoveredMs} ms`);
  const ev = await waitForEvent(`mp-${notificationId}`, 'succeeded');
  assert.equal(ev.paymentStatus, 'approved');
});
