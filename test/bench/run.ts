/**
 * npm run bench — the webhook pipeline against the real dev stack (Temporal dev server, FerretDB,
 * sandbox, worker and API processes), each measurement next to its floor in the same run:
 *   1. ack latency of signed deliveries vs a bare client.workflow.start loop (same server, same
 *      concurrency, same start options), interleaved in rounds so drift hits both alike (webhooks.ts);
 *   2. end-to-end processed/s vs a bare workflow with three no-op activities (webhooks.ts);
 *   3. orders: checkout ack vs a bare update-with-start, and orders confirmed per second (orders.ts);
 *   4. the metrics snapshot at 10k and 1M stored payments vs scanning them (metrics.ts);
 *   5. the admin analytics and dashboard figures at 1× and 10× the stored history (analytics.ts);
 *   6. storefront search p50/p95 over 10,000 products vs /health and a primary-key read (search.ts);
 *   7. history events and billable actions per business event, from real histories (history.ts);
 *   8. a burst of signed webhooks: acks during it, time to all acked and all processed (burst.ts).
 * Usage: npm run bench [-- --n 400 --c 16 --rounds 3 --orders-n 100 --orders-c 8 --metrics-large 1000000 --burst-n 5000 --burst-c 64]
 *        npm run bench -- --only ack|e2e|orders|metrics|analytics|search|history|burst   (one phase alone)
 *          analytics: --analytics-days 365 --analytics-per-day 200; search: --search-products, --search-queries
 */
import '../harness/quiet-sdk';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startServers } from '../harness/servers';
import { startStack } from '../harness/stack';
import { benchOrders } from './orders';
import { benchMetrics } from './metrics';
import { benchAnalytics } from './analytics';
import { benchSearch } from './search';
import { benchHistory } from './history';
import { benchBurst } from './burst';
import { load, pct } from './measure';
import { benchWebhookAck, benchWebhookEndToEnd } from './webhooks';

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
const N = Number(opt.n);
const C = Number(opt.c);
const ROUNDS = Number(opt.rounds);
const SECRET = 'bench-webhook-secret';
type Servers = Awaited<ReturnType<typeof startServers>>;

/** Phase 1 — ingest only (no worker), so the ack path and its floor compete for nothing else. */
async function ackPhase(servers: Servers): Promise<string[]> {
  const ingest = await startStack(servers, { parts: ['sandbox', 'api'], env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  // The floor runs in the stack's own namespace, as the API's starts do.
  const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: ingest.namespace });
  try {
    const target = { client, temporalAddress: servers.temporalAddress, namespace: ingest.namespace, apiUrls: [ingest.apiUrl], secret: SECRET, logDir: ingest.logDir, tier: '', parts: () => [...servers.procs, ...ingest.procs] };
    return (await benchWebhookAck(target, { n: N, c: C, rounds: ROUNDS })).lines;
  } finally {
    await ingest.stop();
    await client.connection.close();
  }
}

/** Phase 2 — deliveries processed to `succeeded` vs bare three-no-op-activity workflows (the product stopped first). */
async function endToEndPhase(servers: Servers): Promise<string[]> {
  const full = await startStack(servers, { env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: full.namespace });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await full.stop();
    stopped = true;
  };
  try {
    const target = { client, temporalAddress: servers.temporalAddress, namespace: full.namespace, apiUrls: [full.apiUrl], secret: SECRET, logDir: full.logDir, tier: '', parts: () => [...servers.procs, ...(stopped ? [] : full.procs)] };
    return (await benchWebhookEndToEnd(target, { n: N, c: C, sandboxUrl: full.sandboxUrl, beforeFloor: stop })).lines;
  } finally {
    await stop();
    await client.connection.close();
  }
}

async function main() {
  let servers = await startServers();
  const analyticsOpts = { days: Number(opt['analytics-days']), perDay: Number(opt['analytics-per-day']), reps: 5 };
  // In the full run's order; each phase on fresh servers (a phase's leftovers never load the next).
  const phases: Record<string, () => Promise<string[]>> = {
    ack: () => ackPhase(servers),
    e2e: () => endToEndPhase(servers),
    orders: () => benchOrders(servers, { n: Number(opt['orders-n']), c: Number(opt['orders-c']), rounds: ROUNDS }),
    metrics: () => benchMetrics(servers, { small: Number(opt['metrics-small']), large: Number(opt['metrics-large']), reps: 5 }),
    analytics: () => benchAnalytics(servers, analyticsOpts),
    search: () => benchSearch(servers, { products: Number(opt['search-products']), queries: Number(opt['search-queries']), c: C, load, pct }),
    history: async () => (await benchHistory(servers)).lines,
    burst: () => benchBurst(servers, { n: Number(opt['burst-n']), c: Number(opt['burst-c']), load, pct }),
  };
  if (opt.only && !phases[opt.only]) throw new Error(`--only: unknown phase ${opt.only} (one of ${Object.keys(phases).join(', ')})`);
  const selected = opt.only ? [opt.only] : Object.keys(phases);
  try {
    for (const [i, name] of selected.entries()) {
      if (i > 0) {
        await servers.stop();
        servers = await startServers();
      }
      console.log((await phases[name]()).join('\n'));
    }
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
