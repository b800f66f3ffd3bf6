import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_SECRETS } from '../../common/config';
import { freePort } from '../../infra/processes';
import { paymentNotification, signMercadoPagoWebhook } from '../../sandbox/sign';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { http, startStack, type RunningStack } from '../harness/stack';

let servers: IntegrationServers;
let stack: RunningStack;
before(async () => {
  servers = await integrationServers();
  stack = await startStack(servers);
});
after(async () => {
  await stack?.stop();
  await servers?.stop();
});

test('GET /health on the running stack: Temporal and MongoDB ok, with latency, version and uptime', async () => {
  const res = await http('GET', `${stack.apiUrl}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ok');
  assert.equal(res.body.checks.temporal.status, 'ok');
  assert.equal(res.body.checks.mongodb.status, 'ok');
  assert.equal(typeof res.body.checks.temporal.latencyMs, 'number');
  assert.equal(typeof res.body.checks.mongodb.latencyMs, 'number');
  assert.match(res.body.version, /^\d+\.\d+\.\d+/);
  assert.equal(typeof res.body.uptimeSeconds, 'number');
});

test('errors are JSON: unknown route 404, malformed JSON 400, oversized body 413', async () => {
  const missing = await http('GET', `${stack.apiUrl}/no/such/route`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');

  const malformed = await http('POST', `${stack.apiUrl}/anything`, { rawBody: '{"amount": ' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'malformed_json');
  assert.ok(!malformed.text.includes('at '), 'no stack trace in the body');

  const huge = await http('POST', `${stack.apiUrl}/anything`, { rawBody: JSON.stringify({ x: 'a'.repeat(300 * 1024) }) });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, 'payload_too_large');
});

test('GET /health reports MongoDB down as degraded and Temporal down as error (503)', async () => {
  const deadPort = await freePort();
  const noMongo = await startStack(servers, { parts: ['api'], env: { MONGODB_URI: `mongodb://127.0.0.1:${deadPort}/x` } });
  try {
    const res = await http('GET', `${noMongo.apiUrl}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'degraded');
    assert.equal(res.body.checks.mongodb.status, 'down');
    assert.equal(res.body.checks.temporal.status, 'ok');
  } finally {
    await noMongo.stop();
  }
  const noTemporal = await startStack(servers, { parts: ['api'], env: { TEMPORAL_ADDRESS: `127.0.0.1:${deadPort}` } });
  try {
    const res = await http('GET', `${noTemporal.apiUrl}/health`);
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'error');
    assert.equal(res.body.checks.temporal.status, 'down');
    assert.equal(res.body.checks.mongodb.status, 'ok');
    // A valid webhook that cannot be durably accepted is refused with 503 + Retry-After, not a 500.
    const body = JSON.stringify(paymentNotification({ notificationId: 42, paymentId: '4242' }));
    const headers = signMercadoPagoWebhook({ secret: SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET, dataId: '4242' });
    const webhook = await http('POST', `${noTemporal.apiUrl}/webhooks/mercadopago?data.id=4242&type=payment`, { rawBody: body, headers });
    assert.equal(webhook.status, 503);
    assert.equal(webhook.body.error.code, 'temporarily_unavailable');
    assert.equal(webhook.headers.get('retry-after'), '5');
  } finally {
    await noTemporal.stop();
  }
});
