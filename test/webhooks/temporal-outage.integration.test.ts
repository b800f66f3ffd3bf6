/**
 * Fast failure, fast recovery (issue 19): an API in-process against this file's own Temporal dev
 * server. The server is stopped: a valid webhook is refused 503 + Retry-After in a few seconds (the
 * SDK defaults took 17–22 s, and MercadoPago gives up at about 22 s). The server is started again
 * on the same port and database: deliveries are accepted again within seconds (the defaults kept
 * refusing for about 35 s). Times are logged; the bounds asserted are loose (a slow shared machine)
 * but well below the old behaviour.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_SECRETS } from '../../common/config';
import { freePort, startTemporalDevServer, type ManagedProcess } from '../../infra/processes';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import { inProcessApi } from '../harness/in-process-api';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { http } from '../harness/stack';

let servers: IntegrationServers;
let temporal: ManagedProcess | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'pagosflow-outage-'));
const app = inProcessApi('outage-admin-key-0123456789');
let port: number;
const startTemporal = () => startTemporalDevServer({ port, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') });

before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('outage') });
  port = await freePort();
  temporal = await startTemporal();
});
after(async () => {
  await temporal?.stop();
  await disconnectMongo();
  await servers.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const deliver = (api: string) => {
  n++;
  const paymentId = String(7_100_000 + n);
  const headers = signMercadoPagoWebhook({ secret: SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET, dataId: paymentId });
  return http('POST', `${api}/webhooks/mercadopago?data.id=${paymentId}&type=payment`, { rawBody: JSON.stringify(paymentNotification({ notificationId: 8_100_000 + n, paymentId })), headers });
};

test('Temporal stopped: webhook 503 + Retry-After in seconds; Temporal back on the same port: accepted again in seconds', async () => {
  const api = await app({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  const ok = await deliver(api);
  assert.equal(ok.status, 200, ok.text);

  await temporal!.stop();
  temporal = undefined;
  const refusals: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const res = await deliver(api);
    refusals.push(Date.now() - t);
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.error.code, 'temporarily_unavailable');
    assert.equal(res.headers.get('retry-after'), '5');
  }
  console.log(`[outage] 503 after ${refusals.join(', ')} ms`);
  assert.ok(Math.max(...refusals) < 10_000, `refusals took ${refusals.join(', ')} ms (the SDK defaults take 17–22 s)`);

  temporal = await startTemporal(); // resolves once the server answers
  const back = Date.now();
  let accepted: Awaited<ReturnType<typeof deliver>> | undefined;
  while (Date.now() - back < 60_000) {
    const res = await deliver(api);
    if (res.status === 200) {
      accepted = res;
      break;
    }
    assert.equal(res.status, 503, res.text);
    await new Promise((r) => setTimeout(r, 100));
  }
  const recovery = Date.now() - back;
  console.log(`[outage] accepted again ${recovery} ms after the server answered`);
  assert.ok(accepted, 'never accepted again');
  assert.ok(recovery < 10_000, `recovery took ${recovery} ms (the SDK defaults took about 35 s)`);
});
