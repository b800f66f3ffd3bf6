/**
 * Auth endpoints' rate limit (seed 003 §5.10: 5 per minute per IP) and the JWT config checks, on
 * the API app in-process (no database is reached: bad bodies are refused before any lookup).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { createApp } from '../../api/app';
import { parseConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createTemporalClient } from '../../common/temporal';
import { http } from '../harness/stack';

let server: Server;
let base: string;
before(async () => {
  const config = parseConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(config.AUTH_RATE_LIMIT_PER_MINUTE, 5, 'the seed default');
  server = createApp({ config, temporal: createTemporalClient(config), log: createLogger('test', 'silent'), version: 'test' }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('the 6th auth request in a minute from one IP is 429 with Retry-After and a JSON error', async () => {
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push(await http('POST', `${base}/auth/login`, { body: { email: 'not-an-email' } }));
  assert.deepEqual(answers.map((a) => a.status), [400, 400, 400, 400, 400, 429]);
  assert.equal(answers[0].body.error.field, 'email');
  const limited = answers[5];
  assert.equal(limited.body.error.code, 'rate_limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  // Other endpoints are not limited by the auth budget.
  assert.equal((await http('GET', `${base}/api/v1/products/none`)).status !== 429, true);
});

test('a forged or foreign token is 401, never a 500', async () => {
  for (const token of ['a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwia2luZCI6ImFjY2VzcyJ9.c2lnbmF0dXJl']) {
    const res = await http('GET', `${base}/api/v1/orders`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401, token);
    assert.equal(res.body.error.code, 'unauthenticated');
  }
});

test('JWT settings are validated at start-up', () => {
  assert.throws(() => parseConfig({ JWT_SECRET: 'too-short' }), /JWT_SECRET must be at least 32 characters/);
  assert.throws(() => parseConfig({ NODE_ENV: 'production', API_KEYS: 'a-real-production-key-123' }), /JWT_SECRET is the sandbox default/);
  assert.throws(() => parseConfig({ ADMIN_PASSWORD: 'a-long-admin-password' }), /ADMIN_EMAIL is required/);
});
