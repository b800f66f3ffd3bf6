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
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { toolPath, waitFor } from '../../infra/processes';
import { startProductionTier } from '../harness/production-tier';
import { fmt } from './measure';
import { benchWebhookAck, benchWebhookEndToEnd } from './webhooks';

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

async function main() {
  const started = performance.now();
  const tier = await startProductionTier({ env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  console.log(`production tier up in ${fmt((performance.now() - started) / 1000)} s: ${JSON.stringify(tier.timings)}`);
  const client = new Client({ connection: await Connection.connect({ address: tier.temporalAddress }), namespace: tier.namespace });
  const target = { client, temporalAddress: tier.temporalAddress, namespace: tier.namespace, apiUrls: tier.apiUrls, secret: SECRET, logDir: path.join(tier.dir, 'logs'), tier: 'Production tier: ', parts: () => tier.parts() };
  try {
    // Phase 1 — ack latency vs the bare start, ingest only (as on the dev server): the workers
    // stop, so the ack path and its floor compete for nothing else.
    await Promise.all(tier.workers.map((w) => w.stop()));
    console.log((await benchWebhookAck(target, { n: N, c: C, rounds: ROUNDS })).lines.join('\n'));

    // Phase 2 — end to end on both workers vs the bare three-activity workflow. Phase 1's
    // workflows (for payments that do not exist) are terminated first, so the workers see only these.
    await run(toolPath('temporal'), ['workflow', 'terminate', '--address', tier.temporalAddress, '--namespace', tier.namespace, '--query', 'ExecutionStatus="Running"', '--reason', 'bench phase 1', '--yes'], { timeout: 600000 });
    await waitFor('phase 1 workflows terminated', async () => {
      const { count } = await client.workflow.count('ExecutionStatus="Running"');
      if (count > 0) throw new Error(`${count} running`);
    }, { timeoutMs: 600000, intervalMs: 1000 });
    await Promise.all(tier.workers.map((_, i) => tier.startWorker(i)));
    console.log((await benchWebhookEndToEnd(target, { n: N, c: C, sandboxUrl: tier.sandboxUrl })).lines.join('\n'));
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
