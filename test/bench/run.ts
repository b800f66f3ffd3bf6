/**
 * npm run bench — the webhook pipeline against the real dev stack (Temporal dev server, FerretDB,
 * sandbox, worker and API processes), each measurement next to its floor in the same run:
 *   1. ack latency of signed deliveries vs a bare client.workflow.start loop (same server, same
 *      concurrency, same start options), interleaved in rounds so drift hits both alike;
 *   2. end-to-end processed/s vs a bare workflow with three no-op activities;
 *   3. orders: checkout ack vs a bare update-with-start, and orders confirmed per second (orders.ts);
 *   4. the metrics snapshot at 10k and 1M stored payments vs scanning them (metrics.ts);
 *   5. the admin analytics and dashboard figures at 1× and 10× the stored history (analytics.ts);
 *   6. storefront search p50/p95 over 10,000 products vs /health and a primary-key read (search.ts);
 *   7. history events and billable actions per business event, from real histories (history.ts);
 *   8. a burst of signed webhooks: acks during it, time to all acked and all processed (burst.ts).
 * Usage: npm run bench [-- --n 400 --c 16 --rounds 3 --orders-n 100 --orders-c 8 --metrics-large 1000000 --burst-n 5000 --burst-c 64]
 *        npm run bench -- --only metrics|history|orders|burst|analytics|search   (one phase alone)
 *          analytics: --analytics-days 365 --analytics-per-day 200; search: --search-products, --search-queries
 */
import '../harness/quiet-sdk';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import mongoose from 'mongoose';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { startNodeEntry } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import { startServers } from '../harness/servers';
import { startStack } from '../harness/stack';
import { benchOrders } from './orders';
import { benchMetrics } from './metrics';
import { benchAnalytics } from './analytics';
import { benchSearch } from './search';
import { benchHistory } from './history';
import { benchBurst } from './burst';
import { mercadoPagoNotificationWorkflow } from '../../contracts/webhooks';

const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '400' },
    c: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    'orders-n': { type: 'string', default: '100' },
    'orders-c': { type: 'string', default: '8' },
    'metrics-small': { type: 'string', default: '10000' },
    'metrics-large': { type: 'string', default: '1000000' },
    'analytics-days': { type: 'string', default: '365' },
    'analytics-per-day': { type: 'string', default: '200' },
    'search-products': { type: 'string', default: '10000' },
    'search-queries': { type: 'string', default: '600' },
    'burst-n': { type: 'string', default: '5000' },
    'burst-c': { type: 'string', default: '64' },
    only: { type: 'string' },
  },
});
const ORDERS_N = Number(opt['orders-n']);
const ORDERS_C = Number(opt['orders-c']);
const N = Number(opt.n);
const C = Number(opt.c);
const ROUNDS = Number(opt.rounds);
const SECRET = 'bench-webhook-secret';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x: number) => x.toFixed(1);

/** Runs `count` jobs at concurrency `c`; returns per-job latencies (ms) and wall time (ms). */
async function load(count: number, c: number, job: (i: number) => Promise<void>) {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      for (let i = next++; i < count; i = next++) {
        const s = performance.now();
        await job(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  return { lat, wallMs: performance.now() - t0 };
}

async function main() {
  let servers = await startServers();
  let notificationId = 70_000_000;
  const results: string[] = [];
  const analyticsOpts = { days: Number(opt['analytics-days']), perDay: Number(opt['analytics-per-day']), reps: 5 };
  const searchPhase = () => benchSearch(servers, { products: Number(opt['search-products']), queries: Number(opt['search-queries']), c: C, load, pct });
  const burst = () => benchBurst(servers, { n: Number(opt['burst-n']), c: Number(opt['burst-c']), load, pct });
  const only: Record<string, () => Promise<string[]>> = {
    metrics: () => benchMetrics(servers, { small: Number(opt['metrics-small']), large: Number(opt['metrics-large']), reps: 5 }),
    history: async () => (await benchHistory(servers)).lines,
    orders: () => benchOrders(servers, { n: ORDERS_N, c: ORDERS_C, rounds: ROUNDS, load, pct }),
    burst,
    analytics: () => benchAnalytics(servers, analyticsOpts),
    search: searchPhase,
  };
  if (opt.only && only[opt.only]) {
    try {
      console.log((await only[opt.only]()).join('\n'));
      const cpu = cpus();
      console.log(`machine: ${cpu.length} × ${cpu[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
    } finally {
      await servers.stop();
    }
    return;
  }
  try {
    // Phase 1 — ingest only (no worker), so the ack path and its floor compete for nothing else.
    const ingest = await startStack(servers, { parts: ['sandbox', 'api'], env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
    const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }) });
    const url = `${ingest.apiUrl}/webhooks/mercadopago`;

    const deliver = async () => {
      const id = ++notificationId;
      const paymentId = String(900_000_000 + id);
      const body = JSON.stringify(paymentNotification({ notificationId: id, paymentId }));
      const headers = { 'content-type': 'application/json', ...signMercadoPagoWebhook({ secret: SECRET, dataId: paymentId }) };
      const res = await fetch(`${url}?data.id=${paymentId}&type=payment`, { method: 'POST', headers, body });
      if (res.status !== 200) throw new Error(`ack ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const bareStart = async () => {
      const id = ++notificationId;
      await client.workflow.start(mercadoPagoNotificationWorkflow.type, {
        taskQueue: 'bench-floor',
        workflowId: `bench-floor-${id}`,
        args: [{ eventId: `floor-${id}`, source: 'webhook', type: 'payment', resourceId: String(id), receivedAt: new Date().toISOString(), crmApprovedTag: 'x' }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: Provider, value: 'mercadopago' },
          { key: WebhookStatus, value: 'received' },
          { key: PaymentId, value: String(id) },
        ],
      });
    };
    // Warm-up: connections, JIT, SQLite caches.
    await load(50, C, deliver);
    await load(50, C, bareStart);
    const ack = { lat: [] as number[], wall: 0 };
    const floor = { lat: [] as number[], wall: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const f = await load(N, C, bareStart);
      floor.lat.push(...f.lat);
      floor.wall += f.wallMs;
      const a = await load(N, C, deliver);
      ack.lat.push(...a.lat);
      ack.wall += a.wallMs;
    }
    const total = N * ROUNDS;
    results.push(
      `### Ack latency — ${total} signed deliveries, concurrency ${C} (${ROUNDS} interleaved rounds)`,
      '',
      '| path | p50 ms | p99 ms | throughput /s |',
      '| --- | ---: | ---: | ---: |',
      `| bare \`client.workflow.start\` (floor) | ${fmt(pct(floor.lat, 50))} | ${fmt(pct(floor.lat, 99))} | ${fmt((total / floor.wall) * 1000)} |`,
      `| \`POST /webhooks/mercadopago\` (verify + durable start + 200) | ${fmt(pct(ack.lat, 50))} | ${fmt(pct(ack.lat, 99))} | ${fmt((total / ack.wall) * 1000)} |`,
      `| **ratio webhook / floor** | **${(pct(ack.lat, 50) / pct(floor.lat, 50)).toFixed(2)}×** | **${(pct(ack.lat, 99) / pct(floor.lat, 99)).toFixed(2)}×** | ${((total / ack.wall) / (total / floor.wall)).toFixed(2)}× |`,
      '',
    );
    console.log(results.join('\n'));
    await ingest.stop();
    await client.connection.close();
    // Fresh servers: phase 1 left hundreds of workflows for payments that do not exist.
    await servers.stop();
    servers = await startServers();
    const client2 = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }) });

    // Phase 2 — end to end: deliveries processed to `succeeded` (fetch payment, save it, projection)
    // vs the same number of bare three-no-op-activity workflows, each with its own worker process.
    const full = await startStack(servers, { env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
    const admin = sandboxAdmin(full.sandboxUrl);
    const E2E = N;
    // Pending payments: the CRM steps run only for approvals, and GoHighLevel's own limit (100 req
    // per 10 s per location, 2 calls per approval) caps approvals at 5/s whatever we do.
    const payments = await Promise.all(Array.from({ length: E2E }, () => admin.createPayment({ status: 'pending' })));
    const db = await mongoose.createConnection(full.env.MONGODB_URI).asPromise();
    const e2eStart = performance.now();
    await load(E2E, C, async (i) => {
      const sent = await admin.sendWebhook({ url: `${full.apiUrl}/webhooks/mercadopago`, paymentId: payments[i].id, secret: SECRET });
      if (sent.status !== 200) throw new Error(`ack ${sent.status}`);
    });
    while ((await db.collection('webhook_events').countDocuments({ status: 'succeeded' })) < E2E) await new Promise((r) => setTimeout(r, 100));
    const e2eMs = performance.now() - e2eStart;
    await db.close();
    await full.stop();

    const noop = startNodeEntry('noop-worker', path.join(__dirname, 'noop-worker.ts'), { logFile: path.join(full.logDir, 'noop.log'), env: { ...process.env, TEMPORAL_ADDRESS: servers.temporalAddress } });
    await noop.waitForLine('noop worker ready', 120000);
    const bareStartT = performance.now();
    await load(E2E, C, async (i) => {
      await client2.workflow.start('threeNoopActivities', { taskQueue: 'bench-noop', workflowId: `bench-noop-${i}-${Date.now()}` });
    });
    const handles = [];
    for await (const wf of client2.workflow.list({ query: `WorkflowType = "threeNoopActivities" AND ExecutionStatus = "Running"` })) handles.push(wf.workflowId);
    await Promise.all(handles.map((id) => client2.workflow.getHandle(id).result()));
    const bareMs = performance.now() - bareStartT;
    await noop.stop();
    await client2.connection.close();

    const e2eRate = (E2E / e2eMs) * 1000;
    const bareRate = (E2E / bareMs) * 1000;
    const e2e = [
      `### End to end — ${E2E} deliveries processed to \`succeeded\`, concurrency ${C}`,
      '',
      '| path | processed /s | wall s |',
      '| --- | ---: | ---: |',
      `| bare workflow, three no-op activities (floor) | ${fmt(bareRate)} | ${fmt(bareMs / 1000)} |`,
      `| webhook → fetch payment → save → projection → succeeded | ${fmt(e2eRate)} | ${fmt(e2eMs / 1000)} |`,
      `| **ratio webhook / floor** | **${(e2eRate / bareRate).toFixed(2)}×** | |`,
      '',
    ];
    console.log(e2e.join('\n'));
    results.push(...e2e);

    // Phase 3 — orders, on fresh servers again.
    await servers.stop();
    servers = await startServers();
    const orders = await benchOrders(servers, { n: ORDERS_N, c: ORDERS_C, rounds: ROUNDS, load, pct });
    console.log(orders.join('\n'));
    results.push(...orders);

    // Phase 4 — the metrics snapshot as history grows, on fresh servers.
    await servers.stop();
    servers = await startServers();
    const metrics = await benchMetrics(servers, { small: Number(opt['metrics-small']), large: Number(opt['metrics-large']), reps: 5 });
    console.log(metrics.join('\n'));
    results.push(...metrics);

    // Phase 5 — the admin analytics as history grows, on fresh servers.
    await servers.stop();
    servers = await startServers();
    const analytics = await benchAnalytics(servers, analyticsOpts);
    console.log(analytics.join('\n'));
    results.push(...analytics);
    // Phase 6 — storefront search over 10,000 products, on fresh servers.
    await servers.stop();
    servers = await startServers();
    const search = await searchPhase();
    console.log(search.join('\n'));
    results.push(...search);
    // Phase 7 — cost per business event from real histories; phase 8 — the burst. Fresh servers each.
    await servers.stop();
    servers = await startServers();
    const history = (await benchHistory(servers)).lines;
    console.log(history.join('\n'));
    results.push(...history);
    await servers.stop();
    servers = await startServers();
    const burstLines = await burst();
    console.log(burstLines.join('\n'));
    results.push(...burstLines);
    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  } finally {
    await servers.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
