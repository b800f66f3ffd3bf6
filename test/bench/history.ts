/**
 * Bench phase `history` — what one business event costs in Temporal, measured from the real
 * histories of each business process run once on the real stack (API, worker, sandbox, dev server):
 * history events (each a persistence write) and Temporal Cloud billable actions (rules in
 * history-cost.ts). Deterministic per path, so one run of each is the measurement.
 *   - webhook: a processed payment (pending: no CRM, no order), and an approved one (CRM contact + tag);
 *   - order through delivery: checkout (update-with-start), paid (its webhook workflow included),
 *     processing → shipped → delivered by the admin API;
 *   - commission through payable: auto-approved after its hold;
 *   - incident: raised, paged on two channels, resolved.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import mongoose from 'mongoose';
import { commissionLifecycleWorkflow, commissionStateQuery, type CommissionInput } from '../../contracts/commissions';
import { incidentLifecycleWorkflow, incidentQuery, resolveUpdate, type IncidentInput } from '../../contracts/ops';
import { orderWorkflowId } from '../../contracts/orders';
import { sandboxAdmin } from '../../sandbox/admin-client';
import type { IntegrationServers } from '../harness/servers';
import { http, startStack } from '../harness/stack';
import { describeKinds, historyCost, sumCosts, type HistoryCost } from './history-cost';

const SECRET = 'bench-history-secret';
const KEY = 'bench-history-api-key-0001';

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchHistory(servers: IntegrationServers): Promise<{ lines: string[]; costs: Record<string, HistoryCost> }> {
  const stack = await startStack(servers, { env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET, API_KEYS: KEY } });
  const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: stack.namespace });
  const db = await mongoose.createConnection(stack.env.MONGODB_URI).asPromise();
  const admin = sandboxAdmin(stack.sandboxUrl);
  const cost = async (h: WorkflowHandle) => historyCost(await h.fetchHistory());
  const costs: Record<string, HistoryCost> = {};
  const parts: Record<string, string> = {};
  try {
    // Webhooks.
    const webhook = async (payment: Record<string, unknown>) => {
      const p = await admin.createPayment(payment);
      const sent = await admin.sendWebhook({ url: `${stack.apiUrl}/webhooks/mercadopago`, paymentId: p.id, secret: SECRET });
      if (sent.status !== 200) throw new Error(`webhook ack ${sent.status}`);
      const h = client.workflow.getHandle(sent.body.workflowId);
      await h.result();
      return cost(h);
    };
    costs['webhook: payment processed (pending: no CRM, no order)'] = await webhook({ status: 'pending' });
    costs['webhook: payment approved (CRM contact + tag, no order)'] = await webhook({ status: 'approved', payer: { email: 'history@example.com' } });

    // Order through delivery.
    const apiKey = { authorization: `Bearer ${KEY}` };
    const created = await http('POST', `${stack.apiUrl}/api/v1/products`, { headers: apiKey, body: { sku: 'HIST-1', name: 'History', price: '10.00', currency: 'ARS', stock: 10 } });
    if (created.status !== 201) throw new Error(`product: ${created.text}`);
    const reg = await http('POST', `${stack.apiUrl}/auth/register`, { body: { email: 'history-buyer@example.com', password: 'history-password-123', name: 'History Buyer' } });
    const buyer = { authorization: `Bearer ${reg.body.access_token}` };
    const order = await http('POST', `${stack.apiUrl}/api/v1/orders`, { headers: buyer, body: { items: [{ sku: 'HIST-1', quantity: 1 }], shipping_address: { street: 'Calle 1', city: 'Rosario', postal_code: 'S2000', country: 'AR' } } });
    if (order.status !== 202) throw new Error(`order ${order.status}: ${order.text}`);
    const number = order.body.order_number as string;
    const paid = await admin.payPreference(order.body.payment.preference_id, { payer_email: 'history-buyer@example.com' });
    const orderDoc = () => db.collection('orders').findOne({ _id: number as never });
    await until('order confirmed', async () => (await orderDoc())?.status === 'confirmed' && (await orderDoc())?.pendingEffects?.length === 0);
    for (const status of ['processing', 'shipped', 'delivered']) {
      const r = await http('PATCH', `${stack.apiUrl}/api/v1/orders/${number}/status`, { headers: apiKey, body: { status, ...(status === 'shipped' ? { tracking_number: 'TRK-H1' } : {}) } });
      if (r.status !== 200) throw new Error(`${status}: ${r.status} ${r.text}`);
    }
    const orderCost = await cost(client.workflow.getHandle(orderWorkflowId(number)));
    const paymentEvent = await until('payment webhook', async () => db.collection('webhook_events').findOne({ resourceId: String(paid.payment.id), status: 'succeeded' }));
    const paymentCost = await cost(client.workflow.getHandle(paymentEvent!.workflowId as string));
    costs['order: checkout → paid → delivered'] = sumCosts([orderCost, paymentCost]);
    parts['order: checkout → paid → delivered'] = `order workflow ${orderCost.events} events / ${orderCost.actions} actions + its payment's webhook ${paymentCost.events} / ${paymentCost.actions}`;

    // Commission through payable (auto-approved below the threshold, after its hold).
    const now = new Date();
    await db.collection('affiliates').insertOne({ _id: 'af_hist', code: 'AFHIST', name: 'Hist', email: 'hist@example.com', tier: 'premium', currency: 'ARS', commission: { baseBps: 1500, premiumBps: 2000, minimumPayoutMinor: 1 }, status: 'active', createdAt: now, updatedAt: now } as never);
    await db.collection('campaigns').insertOne({ _id: 'camp_hist', name: 'Hist', startsAt: now, endsAt: new Date(now.getTime() + 86_400_000), budgetMinor: 1_000_000_000, currency: 'ARS', channels: [], commission: { saleBps: 1500 }, status: 'active', createdAt: now, updatedAt: now } as never);
    const ci: CommissionInput = { commissionId: 'com_hist', conversionId: 'conv_hist', affiliateId: 'af_hist', campaignId: 'camp_hist', conversionType: 'venta', baseMinor: 10_000, currency: 'ARS', holdMs: 500, autoApproveMaxMinor: 1_000_000, reminderAfterMs: 60_000, clawbackWindowMs: 60_000 };
    const commission = await client.workflow.start(commissionLifecycleWorkflow.type, { taskQueue: commissionLifecycleWorkflow.taskQueue, workflowId: 'commission-conv_hist', args: [ci] });
    await until('commission payable', async () => (await db.collection('commissions').findOne({ _id: 'com_hist' as never }))?.status === 'payable');
    costs['commission: created → held → approved → payable'] = await cost(commission);

    // Incident: raised, paged (email + Slack), resolved.
    const incidentInput: IncidentInput = {
      alert: { dedupKey: 'bench-history', rule: 'webhook_error_rate', severity: 'critical', title: 'Bench incident', message: 'bench', source: 'bench', firedAt: new Date().toISOString() },
      escalation: { respondMinutes: 60, escalateMinutes: 120, channels: ['email', 'slack'] },
      levels: 3,
      ackTimeoutMinutes: 60,
    };
    const incident = await client.workflow.start(incidentLifecycleWorkflow.type, { taskQueue: incidentLifecycleWorkflow.taskQueue, workflowId: 'incident-bench-history', args: [incidentInput] });
    await until('incident paged', async () => (await incident.query(incidentQuery)).notificationsSent >= 2);
    await incident.executeUpdate(resolveUpdate, { args: [{ by: 'bench', note: 'done' }] });
    await incident.result();
    costs['incident: raised → paged (email, Slack) → resolved'] = await cost(incident);
    parts['incident: raised → paged (email, Slack) → resolved'] = '(the bench\'s own polling queries are not counted)';
  } finally {
    await db.close();
    await client.connection.close();
    await stack.stop();
  }
  const lines = [
    '### Cost per business event, from real histories',
    '',
    '| process | history events | workflow tasks | billable actions | actions by kind |',
    '| --- | ---: | ---: | ---: | --- |',
    ...Object.entries(costs).map(([name, c]) => `| ${name} | ${c.events} | ${c.workflowTasks} | ${c.actions} | ${describeKinds(c)}${parts[name] ? ` — ${parts[name]}` : ''} |`),
    '',
  ];
  return { lines, costs };
}
