/**
 * Attack classes answered at the edge, on the API app in-process (no database or Temporal is
 * reached by any request here): path spellings (issue 14, finding 2), hostile JSON (finding 3),
 * non-JSON bodies (415) and wrong methods (405 with Allow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostileJsonProblem } from '../../api/request-guards';
import { parseConfig } from '../../common/config';
import { inProcessApi } from '../harness/in-process-api';
import { http } from '../harness/stack';

const KEY = 'request-guards-admin-key-01';
const admin = { authorization: `Bearer ${KEY}` };
const app = inProcessApi(KEY);

test('another spelling of a protected path is 404, never a handler that skipped audit and limits', async () => {
  const base = await app();
  const spellings = (p: string) => [p.toUpperCase(), p.replace('/api/v1', '/Api/V1'), `${p}/`, p.replace('/api/v1/', '/api/v1//'), p.replace('/api/v1/', '//api/v1/'), p.replace(/\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`), p.replace(/([a-z])$/, (c) => `%${c.charCodeAt(0).toString(16)}`)];
  for (const p of ['/api/v1/audit', '/api/v1/payments', '/api/v1/orders', '/api/v1/webhook-events', '/api/v1/incidents', '/api/v1/commissions', '/api/v1/dashboard/overview']) {
    for (const s of spellings(p)) {
      const r = await http('GET', `${base}${s}`, { headers: admin });
      assert.equal(r.status, 404, `${s} answered ${r.status}`);
      assert.equal(r.body.error.code, 'not_found');
    }
  }
});

test('a known path with a wrong method is 405 with Allow; TRACE too', async () => {
  const base = await app();
  const del = await http('DELETE', `${base}/api/v1/payments`, { headers: admin });
  assert.equal(del.status, 405);
  assert.equal(del.headers.get('allow'), 'GET, HEAD');
  assert.equal(del.body.error.code, 'method_not_allowed');
  const trace = await http('TRACE', `${base}/api/v1/orders`, { headers: admin }).catch((e: Error) => ({ status: 0, headers: new Headers(), body: { error: { code: e.message } } }));
  // fetch refuses to send TRACE itself; the server's answer is checked with a raw request below when possible.
  if (trace.status !== 0) assert.equal(trace.status, 405);
  const put = await http('PUT', `${base}/api/v1/orders`, { headers: admin, body: {} });
  assert.equal(put.status, 405);
  assert.deepEqual(put.headers.get('allow')?.split(', '), ['GET', 'HEAD', 'POST']);
  // An unknown path stays 404.
  assert.equal((await http('DELETE', `${base}/api/v1/nothing-here`, { headers: admin })).status, 404);
});

test('TRACE over a raw socket is 405 too', async () => {
  const base = new URL(await app());
  const net = await import('node:net');
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(base.port), base.hostname, () => socket.end(`TRACE /api/v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 405/);
  assert.match(answer, /allow: GET, HEAD, POST/i);
});

test('a body that is not JSON is 415 naming the header; a body-less POST is not', async () => {
  const base = await app();
  const form = await http('POST', `${base}/api/v1/campaigns`, { headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' }, rawBody: 'a=1' });
  assert.equal(form.status, 415);
  assert.equal(form.body.error.field, 'content-type');
  const text = await http('POST', `${base}/auth/login`, { headers: { 'content-type': 'text/plain' }, rawBody: '{"email":"a@b.co","password":"x"}' });
  assert.equal(text.status, 415);
  const vendorJson = await http('POST', `${base}/auth/login`, { headers: { 'content-type': 'application/vnd.api+json' }, rawBody: '{"email":"not-an-email"}' });
  assert.deepEqual([vendorJson.status, vendorJson.body.error.field], [400, 'email'], '+json is JSON, parsed and validated like JSON');
  const hostileVendor = await http('POST', `${base}/api/v1/campaigns`, { headers: { ...admin, 'content-type': 'application/merge-patch+json' }, rawBody: '{"name":{"$gt":""}}' });
  assert.deepEqual([hostileVendor.status, hostileVendor.body.error.field], [422, 'name.$gt'], 'a +json body meets the hostile-JSON guard too');
});

test('hostile JSON is 422 naming the path, before any handler', async () => {
  const base = await app();
  const cases: [unknown, string][] = [
    [{ name: 'x', segmentation: { $where: 'sleep(1000)' } }, 'segmentation.$where'],
    [{ name: 'x', metadata: { 'a.b': 1 } }, 'metadata.a.b'],
    [{ name: 'x', metadata: { 'nul\u0000': 1 } }, 'metadata.nul\u0000'],
    [{ items: [{ sku: 'A', quantity: 1, $inc: { x: 1 } }] }, 'items.0.$inc'],
  ];
  for (const [body, field] of cases) {
    const r = await http('POST', `${base}/api/v1/campaigns`, { headers: admin, body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.body.error.code, 'invalid_json_structure');
    assert.equal(r.body.error.field, field);
  }
  const deep = `${'['.repeat(40_000)}1${']'.repeat(40_000)}`;
  const started = Date.now();
  const nested = await http('POST', `${base}/api/v1/campaigns`, { headers: admin, rawBody: `{"metadata":${deep}}` });
  assert.equal(nested.status, 422);
  assert.match(nested.body.error.message, /deeper than 32 levels/);
  assert.ok(Date.now() - started < 5000, 'refused quickly');
  const wide = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}`, i]));
  const many = await http('POST', `${base}/api/v1/campaigns`, { headers: admin, body: { metadata: wide } });
  assert.equal(many.status, 422);
  assert.match(many.body.error.message, /more than 2000 keys/);
});

test('the hostile-JSON walker: limits are exact and ordinary bodies pass', () => {
  const limits = { maxDepth: 3, maxKeys: 4 };
  assert.equal(hostileJsonProblem({ a: { b: { c: 1 } } }, limits), undefined);
  assert.deepEqual(hostileJsonProblem({ a: { b: { c: { d: 1 } } } }, limits), { path: 'a.b.c', message: 'nested deeper than 3 levels' });
  assert.deepEqual(hostileJsonProblem({ a: 1, b: 2, c: 3, d: 4, e: 5 }, limits), { path: 'e', message: 'more than 4 keys' });
  assert.equal(hostileJsonProblem([1, [2, [3]]], limits), undefined, 'array indexes are not keys');
  assert.equal(hostileJsonProblem('text', limits), undefined);
  assert.equal(hostileJsonProblem({ email: 'ana@example.com', price: '1.50' }, limits), undefined, 'dots in values are fine');
});

test('credentials: the Bearer scheme in any case; a token without exp is refused', async () => {
  const base = await app();
  for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
    const r = await http('GET', `${base}/api/v1/incidents?status=bogus`, { headers: { authorization: `${scheme} ${KEY}` } });
    assert.equal(r.status, 400, `${scheme}: ${r.text}`);
  }
  const { SignJWT } = await import('jose');
  const { SANDBOX_SECRETS } = await import('../../common/config');
  const noExp = await new SignJWT({ email: 'a@b.co', role: 'admin', kind: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u-1')
    .setJti('j-1')
    .setIssuer('pagos-flow')
    .setAudience('pagos-flow-api')
    .setIssuedAt()
    .sign(new TextEncoder().encode(SANDBOX_SECRETS.JWT_SECRET));
  const r = await http('GET', `${base}/api/v1/incidents`, { headers: { authorization: `Bearer ${noExp}` } });
  assert.equal(r.status, 401, r.text);
});

test('X-Forwarded-For is not believed unless TRUST_PROXY says so: rotating it does not reset a limit', async () => {
  const base = await app({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await http('POST', `${base}/auth/login`, { headers: { 'x-forwarded-for': `203.0.113.${i}` }, body: { email: 'not-an-email' } })).status);
  assert.deepEqual(statuses, [400, 400, 400, 429, 429]);
  const trusting = await app({ AUTH_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
  const behindProxy = [];
  for (let i = 0; i < 5; i++) behindProxy.push((await http('POST', `${trusting}/auth/login`, { headers: { 'x-forwarded-for': `203.0.113.${i}` }, body: { email: 'not-an-email' } })).status);
  assert.deepEqual(behindProxy, [400, 400, 400, 400, 400], 'behind a trusted proxy each client has its own budget');
  assert.throws(() => parseConfig({ TRUST_PROXY: 'everyone' }), /TRUST_PROXY/);
  assert.throws(() => parseConfig({ TRUST_PROXY: '1.2.3.4/99' }), /TRUST_PROXY/);
  assert.throws(() => parseConfig({ TRUST_PROXY: 'abc' }), /TRUST_PROXY/);
  assert.deepEqual(parseConfig({ TRUST_PROXY: '1' }).TRUST_PROXY, 1);
  assert.deepEqual(parseConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY, ['10.0.0.0/8', 'loopback']);
});

test('HEAD is a search like GET: it counts against the per-caller search limit', async () => {
  const base = await app({ RATE_LIMIT_SEARCH_PER_MINUTE: '2' });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await http('HEAD', `${base}/api/v1/incidents?status=bogus`, { headers: admin })).status);
  statuses.push((await http('GET', `${base}/api/v1/incidents?status=bogus`, { headers: admin })).status);
  assert.deepEqual(statuses, [400, 400, 429, 429]);
});
