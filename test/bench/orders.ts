/**
 * Bench phase 3 — orders on the real stack, each next to its floor in the same run:
 *   - order-creation ack (POST /api/v1/orders: validate, price, update-with-start, reserve, payment
 *     link, 202) vs a bare update-with-start whose update answers after three no-op activities;
 *   - orders confirmed per second end to end (checkout → buyer pays → MercadoPago notifies → webhook
 *     workflow → order confirmed, stock committed), and when every side effect (CRM, email) is done.
 */
import path from 'node:path';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import mongoose from 'mongoose';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { startNodeEntry, type ManagedProcess } from '../../infra/processes';
import type { IntegrationServers } from '../harness/servers';
import { http, startStack } from '../harness/stack';
import { CpuMeter } from './cpu';
import { fmt, interleaved, latencyTable, load } from './measure';
import { noopCheckoutUpdate } from './noop-workflows';

export async function benchOrders(servers: IntegrationServers & { procs?: ManagedProcess[] }, opts: { n: number; c: number; rounds: number }): Promise<string[]> {
  const { n, c, rounds } = opts;
  const KEY = 'bench-orders-api-key-00001';
  const stack = await startStack(servers, { env: { LOG_LEVEL: 'warn', API_KEYS: KEY } });
  // The floor runs in the stack's own namespace, as the API's orders do.
  const noop = startNodeEntry('noop-worker', path.join(__dirname, 'noop-worker.ts'), { logFile: path.join(stack.logDir, 'noop.log'), env: { ...process.env, TEMPORAL_ADDRESS: servers.temporalAddress, TEMPORAL_NAMESPACE: stack.namespace } });
  const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: stack.namespace });
  const cpu = new CpuMeter(() => [...(servers.procs ?? []), ...stack.procs, noop]);
  const db = await mongoose.createConnection(stack.env.MONGODB_URI).asPromise();
  try {
    await noop.waitForLine('noop worker ready', 120000);
    const admin = sandboxAdmin(stack.sandboxUrl);
    const total = n * rounds;
    const sku = 'BENCH-SKU';
    const created = await http('POST', `${stack.apiUrl}/api/v1/products`, { headers: { authorization: `Bearer ${KEY}` }, body: { sku, name: 'Bench', price: '10.00', currency: 'ARS', stock: total + 100 } });
    if (created.status !== 201) throw new Error(`product: ${created.text}`);
    const reg = await http('POST', `${stack.apiUrl}/auth/register`, { body: { email: 'bench@example.com', password: 'bench-password-123', name: 'Bench Buyer' } });
    const headers = { authorization: `Bearer ${reg.body.access_token}` };
    const accepted: { order_number: string; payment: { preference_id: string } }[] = [];

    const placeOrder = async () => {
      const res = await http('POST', `${stack.apiUrl}/api/v1/orders`, { headers, body: { items: [{ sku, quantity: 1 }], shipping_address: { street: 'Calle 1', city: 'Rosario', postal_code: 'S2000', country: 'AR' } } });
      if (res.status !== 202) throw new Error(`order ${res.status}: ${res.text}`);
      accepted.push(res.body);
    };
    let floorSeq = 0;
    const bareUpdateWithStart = async () => {
      const op = new WithStartWorkflowOperation('noopCheckout', { taskQueue: 'bench-noop', workflowId: `bench-checkout-${++floorSeq}-${Date.now()}`, workflowIdConflictPolicy: 'FAIL' });
      await client.workflow.executeUpdateWithStart(noopCheckoutUpdate, { startWorkflowOperation: op });
    };

    await load(20, c, placeOrder);
    await load(20, c, bareUpdateWithStart);
    accepted.length = 0;
    const e2eStart = performance.now();
    const { floor, ours: ack } = await interleaved({ rounds, n, c, measure: (side, fn) => cpu.measure(side, fn) }, bareUpdateWithStart, { name: 'order', job: placeOrder });

    // End to end: pay every order; MercadoPago notifies; orders confirm.
    const payStart = performance.now();
    await load(accepted.length, c, async (i) => {
      await admin.payPreference(accepted[i].payment.preference_id, { payer_email: 'bench@example.com' });
    });
    const numbers = accepted.map((a) => a.order_number);
    const count = (filter: object) => db.collection('orders').countDocuments({ _id: { $in: numbers as never[] }, ...filter });
    while ((await count({ status: 'confirmed' })) < numbers.length) await new Promise((r) => setTimeout(r, 200));
    const confirmedMs = performance.now() - payStart;
    const deadline = Date.now() + 15 * 60_000;
    while ((await count({ status: 'confirmed', pendingEffects: { $size: 0 } })) < numbers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const settledMs = performance.now() - payStart;
    const settled = await count({ status: 'confirmed', pendingEffects: { $size: 0 } });

    return [
      `### Orders — ${total} checkouts at concurrency ${c} (${rounds} interleaved rounds), then all paid`,
      '',
      ...latencyTable(
        { floor: 'bare update-with-start, update answers after three no-op activities (floor)', ours: '`POST /api/v1/orders` (auth, zod, prices, update-with-start, reserve, payment link, 202)', ratio: 'ratio order / floor' },
        floor,
        ack,
      ),
      '',
      ...cpu.table({ order: total, floor: total }, 'checkout'),
      '',
      '| end to end, from the first payment | orders | wall s | orders /s |',
      '| --- | ---: | ---: | ---: |',
      `| paid → webhook → order confirmed (stock committed) | ${numbers.length} | ${fmt(confirmedMs / 1000)} | ${fmt((numbers.length / confirmedMs) * 1000)} |`,
      `| … and every side effect done (CRM opportunity + tag, email) | ${settled} | ${fmt(settledMs / 1000)} | ${fmt((settled / settledMs) * 1000)} |`,
      `| (checkout phase, for reference: ${fmt((e2eStart && (payStart - e2eStart)) / 1000)} s including the floor rounds) | | | |`,
      '',
    ];
  } finally {
    await db.close();
    await client.connection.close();
    await noop.stop();
    await stack.stop();
  }
}
