/**
 * Ignored webhooks in the dashboard's buckets: the API's webhook route (in-process, real FerretDB)
 * answers a signed notification of a type we do not process, and an IPN topic we do not process,
 * with 200 `ignored`; both count in `webhooks_last_hour.ignored` of the metrics snapshot (through
 * the API's own counter family), once per notification however often it is redelivered, next to
 * what the worker counts for the notifications its workflows finish.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SANDBOX_SECRETS } from '../../common/config';
import { metricsSnapshots } from '../../domain/ops/metrics-snapshot';
import { webhookEventStore } from '../../domain/payments/webhook-events';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { MetricCount } from '../../domain/persistence/models/metric-count';
import { WebhookEvent } from '../../domain/persistence/models/webhook-event';
import { DEFAULT_ALERT_RULES } from '../../common/ops-policy';
import { signMercadoPagoWebhook } from '../../sandbox/sign';
import { inProcessApi } from '../harness/in-process-api';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { http } from '../harness/stack';

let servers: IntegrationServers;
let apiUrl: string;
const app = inProcessApi('ignored-deliveries-admin-key-01');
const tz = 'America/Argentina/Buenos_Aires';

before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('ignored') });
  // On the API's side, only Temporal is unreachable: ignored deliveries never reach it.
  apiUrl = await app({ MERCADOPAGO_ACCEPT_IPN: 'true' });
});
after(async () => {
  await disconnectMongo();
  await servers?.stop();
});

function deliver(body: Record<string, unknown>, dataId: string) {
  const headers = signMercadoPagoWebhook({ secret: SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET, dataId });
  return http('POST', `${apiUrl}/webhooks/mercadopago?data.id=${dataId}&type=${body.type}`, { rawBody: JSON.stringify(body), headers });
}

const snapshot = async () => (await metricsSnapshots({ SCHEDULE_TIMEZONE: tz, ALERT_RULES: DEFAULT_ALERT_RULES }).computeMetricsSnapshot()).snapshot;

test('ignored deliveries (types and IPN topics we do not process) count in webhooks_last_hour.ignored, once per notification', async () => {
  const before = (await snapshot()).performance.webhooks_last_hour;
  assert.deepEqual(before, { total: 0, succeeded: 0, ignored: 0, failed: 0 });

  const order = { id: 91_000_001, type: 'merchant_order', action: 'merchant_order.updated', data: { id: 'MO-1' } };
  for (let i = 0; i < 3; i++) {
    // MercadoPago redelivers until it gets a 200: the second and third are the same notification.
    const res = await deliver(order, 'MO-1');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.ignored, res.body.eventId], [true, 'mp-91000001']);
  }
  assert.equal((await deliver({ id: 91_000_002, type: 'subscription_preapproval', data: { id: 'SP-1' } }, 'SP-1')).body.ignored, true);
  const ipn = await http('POST', `${apiUrl}/webhooks/mercadopago?topic=merchant_order&id=123`);
  assert.deepEqual([ipn.status, ipn.body.ignored], [200, true]);
  assert.equal((await WebhookEvent.findById('mp-91000001').lean<any>())?.status, 'ignored');

  // The worker's own outcome counts (a notification workflow that ignored its payment, one that succeeded).
  const worker = webhookEventStore({ SCHEDULE_TIMEZONE: tz });
  await worker.markWebhookFinished({ eventId: 'mp-w1', status: 'ignored', succeededSteps: 1, finishedAt: new Date().toISOString(), durationMs: 40 }, `test:${randomUUID()}`);
  await worker.markWebhookFinished({ eventId: 'mp-w2', status: 'succeeded', succeededSteps: 3, finishedAt: new Date().toISOString(), durationMs: 120 }, `test:${randomUUID()}`);

  const s = await snapshot();
  assert.deepEqual(s.performance.webhooks_last_hour, { total: 5, succeeded: 1, ignored: 4, failed: 0 });
  assert.equal(s.performance.webhook_success_rate, 100);
  // Each family stays with its one writer: the API's ignored deliveries are not in the worker's family.
  const ignoredBy: Record<string, number> = {};
  for (const d of await MetricCount.find({ granularity: 'm5' }, { family: 1, c: 1 }).lean<any[]>()) ignoredBy[d.family] = (ignoredBy[d.family] ?? 0) + (d.c.ignored ?? 0);
  assert.deepEqual(ignoredBy, { deliveries: 3, webhooks: 1 });
});
