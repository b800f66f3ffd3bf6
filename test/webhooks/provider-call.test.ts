import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { parseRetryAfter, providerCall } from '../../activities/http/provider-call';
import { MercadoPagoClient } from '../../activities/mercadopago/client';
import { GoHighLevelClient } from '../../activities/gohighlevel/client';
import { createSandboxApp } from '../../sandbox/app';
import { newPayment } from '../../sandbox/mercadopago';
import type { Fault } from '../../sandbox/state';

const opts = { mercadoPagoAccessToken: 'mp-token-123', mercadoPagoWebhookSecret: 'secret-123', ghlAccessToken: 'ghl-token-123', ghlLocationId: 'loc-1' };
const { app, state } = createSandboxApp(opts);
let server: Server;
let base: string;
before(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const mp = () => new MercadoPagoClient({ baseUrl: `${base}/mercadopago`, accessToken: opts.mercadoPagoAccessToken });
const ghl = () => new GoHighLevelClient({ baseUrl: `${base}/gohighlevel`, accessToken: opts.ghlAccessToken, locationId: opts.ghlLocationId, apiVersion: '2021-07-28' });
const fault = (f: Omit<Fault, 'remaining'>, remaining = 1) => state.faults.push({ ...f, remaining });

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected ApplicationFailure, got ${err}`);
    return err;
  }
  assert.fail('call did not fail');
}

test('Retry-After is read in seconds or as an HTTP date', () => {
  assert.equal(parseRetryAfter('120'), 120_000);
  assert.equal(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1)), 30_000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('a payment is fetched from the MercadoPago contract', async () => {
  const created = newPayment(state, { status: 'approved', transaction_amount: 10.5 });
  const p = await mp().getPayment(String(created.id));
  assert.equal(p.id, created.id);
  assert.equal(p.status, 'approved');
  assert.equal(p.transaction_amount, 10.5);
});

test('5xx is retryable, 429 carries Retry-After as the next delay, 404 and 401 are permanent', async () => {
  const created = newPayment(state, {});
  fault({ provider: 'mercadopago', kind: 'error', status: 503 });
  const unavailable = await failure(mp().getPayment(String(created.id)));
  assert.equal(unavailable.nonRetryable, false);
  assert.equal(unavailable.type, 'ProviderUnavailable');

  fault({ provider: 'mercadopago', kind: 'rate-limit', retryAfterSeconds: 7 });
  const limited = await failure(mp().getPayment(String(created.id)));
  assert.equal(limited.nonRetryable, false);
  assert.equal(limited.type, 'ProviderRateLimited');
  assert.equal(limited.nextRetryDelay, 7000);

  const missing = await failure(mp().getPayment('424242'));
  assert.equal(missing.nonRetryable, true);
  assert.match(missing.message, /404: Payment not found/);

  const unauthorized = await failure(new MercadoPagoClient({ baseUrl: `${base}/mercadopago`, accessToken: 'wrong' }).getPayment(String(created.id)));
  assert.equal(unauthorized.nonRetryable, true);
});

test('408, 409 and 423 are retried, other 4xx are not', async () => {
  for (const [status, retryable] of [[408, true], [409, true], [423, true], [400, false], [403, false], [422, false]] as const) {
    fault({ provider: 'gohighlevel', kind: 'error', status });
    const f = await failure(ghl().upsertContact({ email: 'x@example.com' }));
    assert.equal(f.nonRetryable, !retryable, `status ${status}`);
  }
});

test('an unreachable provider or a hang is a retryable failure', async () => {
  const unreachable = await failure(providerCall({ provider: 'mercadopago', baseUrl: 'http://127.0.0.1:1', method: 'GET', path: '/v1/payments/1', headers: {} }));
  assert.equal(unreachable.type, 'ProviderUnreachable');
  assert.equal(unreachable.nonRetryable, false);
  fault({ provider: 'mercadopago', kind: 'hang' });
  const hung = await failure(providerCall({ provider: 'mercadopago', baseUrl: `${base}/mercadopago`, method: 'GET', path: '/v1/payments/1', headers: { authorization: `Bearer ${opts.mercadoPagoAccessToken}` }, timeoutMs: 300 }));
  assert.equal(hung.type, 'ProviderUnreachable');
});

test('GoHighLevel: upsert by email is idempotent, tags are a set, burst limit answers 429 with headers', async () => {
  const first = await ghl().upsertContact({ email: 'Maria@Example.com', firstName: 'María' });
  const second = await ghl().upsertContact({ email: 'maria@example.com' });
  assert.equal(first.new, true);
  assert.equal(second.new, false);
  assert.equal(second.contact.id, first.contact.id);
  await ghl().addTags(first.contact.id, ['pago-aprobado']);
  const tags = await ghl().addTags(first.contact.id, ['pago-aprobado']);
  assert.deepEqual(tags.tags, ['pago-aprobado']);

  let last: Response | undefined;
  for (let i = 0; i < 101; i++) {
    last = await fetch(`${base}/gohighlevel/contacts/search/duplicate?locationId=loc-1&email=a@b.c`, { headers: { authorization: `Bearer ${opts.ghlAccessToken}`, version: '2021-07-28' } });
    if (last.status === 429) break;
  }
  assert.equal(last!.status, 429);
  assert.equal(last!.headers.get('x-ratelimit-max'), '100');
  assert.equal(last!.headers.get('x-ratelimit-remaining'), '0');
  assert.ok(Number(last!.headers.get('retry-after')) >= 1);
});
