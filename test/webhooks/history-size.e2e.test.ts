/**
 * What one processed notification writes to Temporal, on the real stack (API, worker, sandbox,
 * dev server): the history is deterministic for a given path, so its size is asserted here
 * (timings stay in the bench, `npm run bench -- --only history`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal as proto } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { CustomerEmail, OrderNumber, WebhookStatus } from '../../contracts/search-attributes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, type RunningStack } from '../harness/stack';
import { historyCost } from '../bench/history-cost';

const E = proto.api.enums.v1.EventType;
const SECRET = 'history-size-webhook-secret';
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let admin: ReturnType<typeof sandboxAdmin>;

before(async () => {
  ctx = await e2eContext({ env: { MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  ({ stack, temporal } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

async function processed(payment: Parameters<typeof admin.createPayment>[0]) {
  const p = await admin.createPayment(payment);
  const sent = await admin.sendWebhook({ url: `${stack.apiUrl}/webhooks/mercadopago`, paymentId: p.id, secret: SECRET });
  assert.equal(sent.status, 200);
  const handle = temporal.workflow.getHandle(sent.body.workflowId);
  const state = await handle.result();
  assert.equal(state.phase, 'succeeded');
  const history = await handle.fetchHistory();
  const types = (history.events ?? []).map((e) => e.eventType);
  return { handle, history, types, cost: historyCost(history) };
}

test('a processed payment with no order and no CRM work: at most 20 history events (15 today), no signal, no patch marker, one upsert', async () => {
  const { types, cost } = await processed({ status: 'pending' });
  const listed = types.map((t) => E[t!]).join(', ');
  assert.ok(cost.events <= 20, `history has ${cost.events} events: ${listed}`);
  assert.ok(cost.events <= 15, `version 2 writes 15 events for this path, got ${cost.events}: ${listed}`);
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED).length, 0);
  // Only the outcome: the API started it as `received` (version 2 announces no `processing` and,
  // a type of its own, carries no patch and so no TemporalChangeVersion upsert).
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length, 1, listed);
  assert.equal(cost.byKind['search-attribute upsert'], 1, listed);
  // Three markers, all local activities (open, save, finish), none a patch.
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_MARKER_RECORDED).length, 3, listed);
  // Only the provider call is a regular activity; the MongoDB writes are local (markers).
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length, 1);
  assert.equal(cost.workflowTasks, 2);
});

test('an approved payment whose external_reference is not an order: CRM tagged, no signal to any order, attributes set once', async () => {
  const { handle, types, cost } = await processed({ status: 'approved', external_reference: 'ERP-2024-77', payer: { email: 'history-size@example.com' } });
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED).length, 0, 'no order to signal');
  // The outcome carries what the fetch told (CustomerEmail, OrderNumber): one upsert.
  assert.equal(cost.byKind['search-attribute upsert'], 1);
  // fetch, upsert contact, tag: the provider calls stay regular activities.
  assert.equal(types.filter((t) => t === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length, 3);
  const sa = (await handle.describe()).typedSearchAttributes;
  assert.deepEqual([sa.get(WebhookStatus), sa.get(CustomerEmail), sa.get(OrderNumber)], ['succeeded', 'history-size@example.com', 'ERP-2024-77']);
});
