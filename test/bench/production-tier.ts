/**
 * The benchmark's production phase: the same measurements as npm run bench, each next to its floor
 * in the same run, on the production tier (real Temporal server on PostgreSQL, two API processes,
 * two worker processes) instead of the dev server:
 *   1. ack latency of signed deliveries, alternated over both APIs, vs a bare client.workflow.start
 *      loop on the same server (interleaved rounds);
 *   2. end-to-end processed/s (pending payments: fetch, save, projection → succeeded) vs a bare
 *      workflow with three no-op activities run by its own worker process.
 * Usage: node --import tsx test/bench/production-tier.ts [--n 400 --c 16 --rounds 3]
 */
import '../harness/quiet-sdk';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import mongoose from 'mongoose';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { mercadoPagoNotificationWorkflow } from '../../contracts/webhooks';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startNodeEntry, toolPath, waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import { startProductionTier } from '../harness/production-tier';

const run = promisify(execFile);
const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '400' },
    c: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(opt.n);
const C = Number(opt.c);
const ROUNDS = Number(opt.rounds);
const SECRET = 'bench-webhook-secret';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x: number) => x.toFixed(1);

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
  const started = performance.now();
  const tier = await startProductionTier({ env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  console.log(`production tier up in ${fmt((performance.now() - started) / 1000)} s: ${JSON.stringify(tier.timings)}`);
  const results: string[] = [];
  let notificationId = 80_000_000;
  const client = new Client({ connection: await Connection.connect({ address: tier.temporalAddress }), namespace: tier.namespace });
  try {
    // Phase 1 — ack latency vs the bare start, ingest only (as on the dev server): the workers
    // stop, so the ack path and its floor compete for nothing else.
    await Promise.all(tier.workers.map((w) => w.stop()));
    let turn = 0;
    const deliver = async () => {
      const id = ++notificationId;
      const paymentId = String(900_000_000 + id);
      const body = JSON.stringify(paymentNotification({ notificationId: id, paymentId }));
      const headers = { 'content-type': 'application/json', ...signMercadoPagoWebhook({ secret: SECRET, dataId: paymentId }) };
      const url = `${tier.apiUrls[turn++ % tier.apiUrls.length]}/webhooks/mercadopago`;
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
      `### Production tier: ack latency — ${total} signed deliveries over 2 APIs, concurrency ${C} (${ROUNDS} interleaved rounds)`,
      '',
      '| path | p50 ms | p99 ms | throughput /s |',
      '| --- | ---: | ---: | ---: |',
      `| bare \`client.workflow.start\` (floor) | ${fmt(pct(floor.lat, 50))} | ${fmt(pct(floor.lat, 99))} | ${fmt((total / floor.wall) * 1000)} |`,
      `| \`POST /webhooks/mercadopago\` (verify + durable start + 200) | ${fmt(pct(ack.lat, 50))} | ${fmt(pct(ack.lat, 99))} | ${fmt((total / ack.wall) * 1000)} |`,
      `| **ratio webhook / floor** | **${(pct(ack.lat, 50) / pct(floor.lat, 50)).toFixed(2)}×** | **${(pct(ack.lat, 99) / pct(floor.lat, 99)).toFixed(2)}×** | ${((total / ack.wall) / (total / floor.wall)).toFixed(2)}× |`,
      '',
    );
    console.log(results.join('\n'));

    // Phase 2 — end to end on both workers vs the bare three-activity workflow. Phase 1's
    // workflows (for payments that do not exist) are terminated first, so the workers see only these.
    await run(toolPath('temporal'), ['workflow', 'terminate', '--address', tier.temporalAddress, '--namespace', tier.namespace, '--query', 'ExecutionStatus="Running"', '--reason', 'bench phase 1', '--yes'], { timeout: 600000 });
    await waitFor('phase 1 workflows terminated', async () => {
      const { count } = await client.workflow.count('ExecutionStatus="Running"');
      if (count > 0) throw new Error(`${count} running`);
    }, { timeoutMs: 600000, intervalMs: 1000 });
    await Promise.all(tier.workers.map((_, i) => tier.startWorker(i)));
    const admin = sandboxAdmin(tier.sandboxUrl);
    const payments = await Promise.all(Array.from({ length: N }, () => admin.createPayment({ status: 'pending' })));
    const db = await mongoose.createConnection(tier.mongoUri).asPromise();
    const ids: string[] = [];
    const e2eStart = performance.now();
    await load(N, C, async (i) => {
      const sent = await admin.sendWebhook({ url: `${tier.apiUrls[i % tier.apiUrls.length]}/webhooks/mercadopago`, paymentId: payments[i].id, secret: SECRET });
      if (sent.status !== 200) throw new Error(`ack ${sent.status}`);
      ids.push(`mp-${sent.notificationId}`);
    });
    while ((await db.collection('webhook_events').countDocuments({ _id: { $in: ids as never[] }, status: 'succeeded' })) < N) await new Promise((r) => setTimeout(r, 100));
    const e2eMs = performance.now() - e2eStart;
    await db.close();

    const noop = startNodeEntry('noop-worker', path.join(__dirname, 'noop-worker.ts'), {
      logFile: path.join(tier.dir, 'logs', 'noop.log'),
      env: { ...process.env, TEMPORAL_ADDRESS: tier.temporalAddress, TEMPORAL_NAMESPACE: tier.namespace },
    });
    await noop.waitForLine('noop worker ready', 120000);
    const bareT = performance.now();
    const handles: string[] = [];
    await load(N, C, async (i) => {
      const h = await client.workflow.start('threeNoopActivities', { taskQueue: 'bench-noop', workflowId: `bench-noop-${i}-${Date.now()}` });
      handles.push(h.workflowId);
    });
    await Promise.all(handles.map((id) => client.workflow.getHandle(id).result()));
    const bareMs = performance.now() - bareT;
    await noop.stop();
    const e2eRate = (N / e2eMs) * 1000;
    const bareRate = (N / bareMs) * 1000;
    const e2e = [
      `### Production tier: end to end — ${N} deliveries processed to \`succeeded\` by 2 workers, concurrency ${C}`,
      '',
      '| path | processed /s | wall s |',
      '| --- | ---: | ---: |',
      `| bare workflow, three no-op activities (floor) | ${fmt(bareRate)} | ${fmt(bareMs / 1000)} |`,
      `| webhook → fetch payment → save → projection → succeeded | ${fmt(e2eRate)} | ${fmt(e2eMs / 1000)} |`,
      `| **ratio webhook / floor** | **${(e2eRate / bareRate).toFixed(2)}×** | |`,
      '',
    ];
    console.log(e2e.join('\n'));
    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  } finally {
    await client.connection.close();
    await tier.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
