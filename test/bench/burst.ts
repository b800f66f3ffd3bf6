/**
 * Bench phase `burst` — N signed webhooks (default 5,000, one per existing sandbox payment) sent
 * as fast as the API takes them (a fixed number of connections kept busy): ack p50/p99 during the
 * burst, time until all are acknowledged, time until all are processed; nothing lost (payments
 * stored = N, webhook events succeeded = N) and no 5xx.
 */
import mongoose from 'mongoose';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import type { IntegrationServers } from '../harness/servers';
import { startStack } from '../harness/stack';
import { fmt, type Load } from './measure';

const SECRET = 'bench-burst-secret';

export async function benchBurst(servers: IntegrationServers, opts: { n: number; c: number; load: Load; pct: (xs: number[], p: number) => number; timeoutMs?: number }): Promise<string[]> {
  const { n, c, load, pct } = opts;
  const stack = await startStack(servers, { env: { LOG_LEVEL: 'warn', MERCADOPAGO_WEBHOOK_SECRET: SECRET } });
  const db = await mongoose.createConnection(stack.env.MONGODB_URI).asPromise();
  try {
    const admin = sandboxAdmin(stack.sandboxUrl);
    // The payments exist at MercadoPago before the burst (pending: no CRM work, see the e2e phase).
    const ids: string[] = new Array(n);
    await load(n, 16, async (i) => {
      ids[i] = String((await admin.createPayment({ status: 'pending' })).id);
    });
    const statuses = new Map<number, number>();
    const url = `${stack.apiUrl}/webhooks/mercadopago`;
    const t0 = performance.now();
    const sent = await load(n, c, async (i) => {
      const body = JSON.stringify(paymentNotification({ notificationId: 80_000_000 + i, paymentId: ids[i] }));
      const headers = { 'content-type': 'application/json', ...signMercadoPagoWebhook({ secret: SECRET, dataId: ids[i] }) };
      const res = await fetch(`${url}?data.id=${ids[i]}&type=payment`, { method: 'POST', headers, body });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    const ackedMs = performance.now() - t0;
    const deadline = Date.now() + (opts.timeoutMs ?? 60 * 60_000);
    let done = 0;
    while ((done = await db.collection('webhook_events').countDocuments({ status: 'succeeded' })) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const processedMs = performance.now() - t0;
    const stored = await db.collection('payments').countDocuments({});
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, k]) => a + k, 0);
    return [
      `### Burst — ${n} signed webhooks, ${c} connections kept busy`,
      '',
      '| measure | value |',
      '| --- | ---: |',
      `| ack p50 / p99 during the burst | ${fmt(pct(sent.lat, 50))} / ${fmt(pct(sent.lat, 99))} ms |`,
      `| all acknowledged after | ${fmt(ackedMs / 1000)} s (${fmt((n / ackedMs) * 1000)} /s) |`,
      `| all processed after | ${done === n ? `${fmt(processedMs / 1000)} s (${fmt((n / processedMs) * 1000)} /s)` : `**not all: ${done} of ${n} after ${fmt(processedMs / 1000)} s**`} |`,
      `| answers by status | ${[...statuses].sort().map(([s, k]) => `${s}: ${k}`).join(', ')} |`,
      `| 5xx | ${fivexx} |`,
      `| payments stored / webhook events succeeded | ${stored} / ${done} (of ${n}) |`,
      '',
    ];
  } finally {
    await db.close();
    await stack.stop();
  }
}
