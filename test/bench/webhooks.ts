/**
 * Bench phases `ack` and `e2e` — the webhook pipeline next to its floors on the same server, on
 * the dev stack (run.ts) and on the production tier (production-tier.ts) alike:
 *   ack: N signed deliveries to POST /webhooks/mercadopago (verify, zod, durable start, 200) vs a
 *        bare client.workflow.start with the same options, same concurrency, interleaved rounds;
 *   e2e: N deliveries processed to the end of their workflow (fetch the payment from the sandbox,
 *        save it, projection, `succeeded`) vs N bare workflows of three no-op activities, each
 *        side's completion awaited the same way (every execution's result).
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { mercadoPagoNotificationWorkflow, notificationWorkflowId } from '../../contracts/webhooks';
import { startNodeEntry, type ManagedProcess } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import { CpuMeter } from './cpu';
import { fmt, interleaved, latencyTable, load } from './measure';

export interface WebhookBenchTarget {
  /** A client of the server (and namespace) the product runs on. */
  client: Client;
  temporalAddress: string;
  namespace: string;
  /** Deliveries alternate over these APIs. */
  apiUrls: string[];
  secret: string;
  /** Where the floor's worker writes its log. */
  logDir: string;
  /** A title's prefix naming the tier ("" on the dev server). */
  tier: string;
  /** The running parts (servers and product), for CPU time by process. */
  parts: () => ManagedProcess[];
}

let notificationId = 70_000_000;

/** One signed delivery of a payment notification, as MercadoPago sends it; resolves to its workflow id. */
async function deliver(target: WebhookBenchTarget, paymentId: string, turn: number): Promise<string> {
  const id = ++notificationId;
  const body = JSON.stringify(paymentNotification({ notificationId: id, paymentId }));
  const headers = { 'content-type': 'application/json', ...signMercadoPagoWebhook({ secret: target.secret, dataId: paymentId }) };
  const url = `${target.apiUrls[turn % target.apiUrls.length]}/webhooks/mercadopago?data.id=${paymentId}&type=payment`;
  const res = await fetch(url, { method: 'POST', headers, body });
  if (res.status !== 200) throw new Error(`ack ${res.status}: ${await res.text()}`);
  const acked = (await res.json()) as { workflowId: string };
  if (acked.workflowId !== notificationWorkflowId(`mp-${id}`)) throw new Error(`ack names ${acked.workflowId}`);
  return acked.workflowId;
}

/** Ack latency: needs the APIs up and no worker polling `webhooks` (nothing else competes). */
export async function benchWebhookAck(target: WebhookBenchTarget, opts: { n: number; c: number; rounds: number }) {
  const { n, c, rounds } = opts;
  const bareStart = async () => {
    const id = ++notificationId;
    await target.client.workflow.start(mercadoPagoNotificationWorkflow.type, {
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
  const webhook = (i: number) => deliver(target, String(900_000_000 + notificationId + 1), i).then(() => undefined);
  // Warm-up: connections, JIT, SQLite caches.
  await load(50, c, webhook);
  await load(50, c, bareStart);
  const cpu = new CpuMeter(target.parts);
  const { floor, ours: ack } = await interleaved({ rounds, n, c, measure: (side, fn) => cpu.measure(side, fn) }, bareStart, { name: 'webhook', job: webhook });
  const apis = target.apiUrls.length > 1 ? ` over ${target.apiUrls.length} APIs` : '';
  const lines = [
    `### ${target.tier}Ack latency — ${n * rounds} signed deliveries${apis}, concurrency ${c} (${rounds} interleaved rounds)`,
    '',
    ...latencyTable({ floor: 'bare `client.workflow.start` (floor)', ours: '`POST /webhooks/mercadopago` (verify + durable start + 200)', ratio: 'ratio webhook / floor' }, floor, ack),
    '',
    ...cpu.table({ webhook: n * rounds, floor: n * rounds }, 'acknowledged start'),
    '',
  ];
  return { lines, ack, floor };
}

/**
 * End to end: needs the product's APIs and workers up and the sandbox at `sandboxUrl`.
 * `beforeFloor` runs between the two sides (the dev bench stops the product there).
 */
export async function benchWebhookEndToEnd(target: WebhookBenchTarget, opts: { n: number; c: number; sandboxUrl: string; beforeFloor?: () => Promise<void> }) {
  const { n, c } = opts;
  const admin = sandboxAdmin(opts.sandboxUrl);
  let noop: ManagedProcess | undefined;
  // Pending payments: the CRM steps run only for approvals, and GoHighLevel's own limit (100 req
  // per 10 s per location, 2 calls per approval) caps approvals at 5/s whatever we do.
  const payments: string[] = new Array(n);
  await load(n, 16, async (i) => {
    payments[i] = String((await admin.createPayment({ status: 'pending' })).id);
  });
  const cpu = new CpuMeter(() => [...target.parts(), ...(noop ? [noop] : [])]);
  const ours = await cpu.measure('webhook', () => timeToAllDone(target.client, n, c, (i) => deliver(target, payments[i], i)));
  await opts.beforeFloor?.();

  noop = startNodeEntry('noop-worker', path.join(__dirname, 'noop-worker.ts'), {
    logFile: path.join(target.logDir, 'noop.log'),
    env: { ...process.env, TEMPORAL_ADDRESS: target.temporalAddress, TEMPORAL_NAMESPACE: target.namespace },
  });
  await noop.waitForLine('noop worker ready', 120000);
  const run = Date.now();
  const floor = await cpu.measure('floor', () =>
    timeToAllDone(target.client, n, c, async (i) => {
      const h = await target.client.workflow.start('threeNoopActivities', { taskQueue: 'bench-noop', workflowId: `bench-noop-${run}-${i}` });
      return h.workflowId;
    }),
  );
  await noop.stop();

  const oursRate = (n / ours) * 1000;
  const floorRate = (n / floor) * 1000;
  const workers = target.apiUrls.length > 1 ? ` by ${target.apiUrls.length} workers` : '';
  return {
    oursRate,
    floorRate,
    lines: [
      `### ${target.tier}End to end — ${n} deliveries processed to \`succeeded\`${workers}, concurrency ${c}`,
      '',
      '| path | processed /s | wall s |',
      '| --- | ---: | ---: |',
      `| bare workflow, three no-op activities (floor) | ${fmt(floorRate)} | ${fmt(floor / 1000)} |`,
      `| signed webhook → fetch payment → save → projection → succeeded | ${fmt(oursRate)} | ${fmt(ours / 1000)} |`,
      `| **ratio webhook / floor** | **${(oursRate / floorRate).toFixed(2)}×** | |`,
      '',
      ...cpu.table({ webhook: n, floor: n }, 'processed execution'),
      '',
    ],
  };
}

/** Starts n executions at concurrency c and waits for every one to complete; wall ms from the first start. */
async function timeToAllDone(client: Client, n: number, c: number, startOne: (i: number) => Promise<string>): Promise<number> {
  const t0 = performance.now();
  const done: Promise<unknown>[] = [];
  await load(n, c, async (i) => {
    const workflowId = await startOne(i);
    done.push(client.workflow.getHandle(workflowId).result());
  });
  await Promise.all(done);
  return performance.now() - t0;
}
