/**
 * The cart workflow's durable timers on the time-skipping server, with its real reminder activity
 * (catalog on real FerretDB, a real SMTP server): no change for CART_ABANDONED_HOURS with items
 * in the cart → one reminder email, once per abandonment (a change re-arms it); an empty cart
 * closes after its idle days and the next add starts a new one; after CART_CHANGES_PER_RUN
 * changes the cart continues as new with its lines and its timer.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCartActivities } from '../../activities/email/cart-reminder';
import { parseConfig } from '../../common/config';
import {
  CART_CHANGES_PER_RUN,
  addCartItemUpdate,
  cartQuery,
  cartWorkflowId,
  clearCartUpdate,
  customerCartWorkflow,
  setCartQuantityUpdate,
  type CartInput,
} from '../../contracts/cart';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { Product } from '../../domain/persistence/models/product';
import { freePort, waitFor } from '../../infra/processes';
import { startSmtpSink, type SmtpSink } from '../../sandbox/smtp-sink';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { createTimeSkippingEnv, runWithWorkers } from '../harness/time-skipping';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let servers: IntegrationServers;
let smtp: SmtpSink;
let env: TestWorkflowEnvironment;

before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('cart-ts') });
  smtp = await startSmtpSink({ port: await freePort() });
  const now = new Date();
  await Product.collection.insertMany([
    { _id: 'TS-MATE', name: 'Mate de calabaza', priceMinor: 1500_00, currency: 'ARS', active: true, createdAt: now, updatedAt: now },
    { _id: 'TS-YERBA', name: 'Yerba 1 kg', priceMinor: 3200_50, currency: 'ARS', active: true, createdAt: now, updatedAt: now },
  ] as never[]);
});
after(async () => {
  await smtp?.close();
  await disconnectMongo();
  await servers?.stop();
});
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

const config = () => parseConfig({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PUBLIC_API_URL: 'https://shop.example' } as NodeJS.ProcessEnv);
const input = (id: string): CartInput => ({ customer: { id, email: `${id}@example.com`, name: 'Lucía' }, abandonedAfterMs: 24 * HOUR, idleCloseMs: 30 * DAY });
/** What the API does: update-with-start of the customer's cart. */
const add = (id: string, sku: string, quantity: number) =>
  env.client.workflow.executeUpdateWithStart(addCartItemUpdate, {
    args: [{ sku, quantity }],
    startWorkflowOperation: new WithStartWorkflowOperation(customerCartWorkflow.type, { workflowId: cartWorkflowId(id), taskQueue: 'orders', args: [input(id)], workflowIdConflictPolicy: 'USE_EXISTING' }),
  });
const mailsTo = (id: string) => smtp.messages.filter((m) => m.to.includes(`${id}@example.com`));
/** Mail is sent by an activity in real time: wait for it (or make sure none came). */
const expectMails = (id: string, n: number) => waitFor(`${n} reminder(s) to ${id}`, async () => assert.equal(mailsTo(id).length, n), { timeoutMs: 20_000 });

test('one reminder per abandonment: a change restarts the timer; none again until the cart changes; an empty cart closes and the next add starts a new one', async () => {
  const id = 'cust-ts-1';
  await runWithWorkers(env, 'orders', createCartActivities(config()), async () => {
    await add(id, 'TS-MATE', 2);
    const handle = env.client.workflow.getHandle(cartWorkflowId(id));
    await env.sleep(23 * HOUR);
    assert.equal((await handle.query(cartQuery)).reminders, 0);
    // A change at 23 h: the 24 h start again from it.
    await handle.executeUpdate(setCartQuantityUpdate, { args: [{ sku: 'TS-MATE', quantity: 3 }] });
    await env.sleep(23 * HOUR);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mailsTo(id).length, 0, 'no reminder 23 h after the last change');
    await env.sleep(2 * HOUR);
    await expectMails(id, 1);
    const mail = mailsTo(id)[0];
    assert.equal(mail.subject, 'Tu carrito te espera');
    assert.match(mail.text, /3 × Mate de calabaza \(TS-MATE\): ARS 4500\.00/);
    assert.match(mail.text, /https:\/\/shop\.example\/api\/v1\/cart/);
    let view = await handle.query(cartQuery);
    assert.deepEqual([view.reminders, view.remindedVersion, view.version], [1, 2, 2]);

    // Ten quiet days more: still one reminder for this abandonment.
    await env.sleep(10 * DAY);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mailsTo(id).length, 1);

    // A new change is a new abandonment: one more reminder a day later.
    await add(id, 'TS-YERBA', 1);
    await env.sleep(25 * HOUR);
    await expectMails(id, 2);
    assert.notEqual(mailsTo(id)[1].messageId, mailsTo(id)[0].messageId);
    assert.match(mailsTo(id)[1].text, /1 × Yerba 1 kg \(TS-YERBA\): ARS 3200\.50/);

    // Emptied: no reminder for an empty cart; after 30 idle days the workflow completes.
    const firstRun = (await handle.describe()).runId;
    await handle.executeUpdate(clearCartUpdate);
    await env.sleep(29 * DAY);
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    await env.sleep(2 * DAY);
    const final = await handle.result();
    assert.deepEqual([final.items, final.reminders], [[], 2]);
    assert.equal(mailsTo(id).length, 2);

    // The next add starts a new cart for the customer.
    view = await add(id, 'TS-YERBA', 2);
    assert.deepEqual(view.items.map((i) => [i.sku, i.quantity]), [['TS-YERBA', 2]]);
    const next = await handle.describe();
    assert.notEqual(next.runId, firstRun);
    assert.equal(next.status.name, 'RUNNING');
  });
});

test(`after ${CART_CHANGES_PER_RUN} changes the cart continues as new with its lines, and its abandonment timer still fires`, async () => {
  const id = 'cust-ts-2';
  await runWithWorkers(env, 'orders', createCartActivities(config()), async () => {
    await add(id, 'TS-MATE', 1);
    const handle = env.client.workflow.getHandle(cartWorkflowId(id));
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < CART_CHANGES_PER_RUN + 4; i++) {
      await handle.executeUpdate(setCartQuantityUpdate, { args: [{ sku: 'TS-MATE', quantity: (i % 98) + 1 }] });
    }
    await waitFor('continued as new', async () => assert.notEqual((await handle.describe()).runId, firstRun), { timeoutMs: 20_000 });
    const view = await handle.query(cartQuery);
    assert.deepEqual([view.items.map((i) => [i.sku, i.quantity]), view.version], [[['TS-MATE', ((CART_CHANGES_PER_RUN + 3) % 98) + 1]], CART_CHANGES_PER_RUN + 5]);
    const { events } = await env.client.workflow.getHandle(cartWorkflowId(id), firstRun).fetchHistory();
    assert.ok(events!.some((e) => e.workflowExecutionContinuedAsNewEventAttributes), 'the first run ended by continue-as-new');
    await env.sleep(25 * HOUR);
    await expectMails(id, 1);
  });
});
