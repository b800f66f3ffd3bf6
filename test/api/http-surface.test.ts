/**
 * The HTTP surface on the API app in-process, with no database or Temporal behind it (every
 * request here is answered before either is reached): seed 003 §5.10 rate limits with 429 and
 * Retry-After, helmet headers, CORS closed by default, /metrics, and the OpenAPI document and
 * /docs page — including that every route the routers declare is in the document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENDPOINTS } from '../../api/openapi';
import { parseConfig } from '../../common/config';
import { ROOT } from '../../infra/processes';
import { inProcessApi } from '../harness/in-process-api';
import { http } from '../harness/stack';

const KEY = 'http-surface-admin-key-0001';
const admin = { authorization: `Bearer ${KEY}` };
const app = inProcessApi(KEY);

test('seed 003 §5.10 defaults: 1000/h per IP, 100/min searches per caller, 500/h per admin', () => {
  const c = parseConfig({});
  assert.deepEqual([c.RATE_LIMIT_GENERAL_PER_HOUR, c.RATE_LIMIT_SEARCH_PER_MINUTE, c.RATE_LIMIT_ADMIN_PER_HOUR, c.AUTH_RATE_LIMIT_PER_MINUTE], [1000, 100, 500, 5]);
});

test('the general limit per IP answers 429 with Retry-After in our JSON error shape', async () => {
  const base = await app({ RATE_LIMIT_GENERAL_PER_HOUR: '3' });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await http('GET', `${base}/api/v1/incidents?status=bogus`));
  assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 429], 'unauthenticated attempts count too: key guessing is limited');
  const limited = answers[3];
  assert.equal(limited.body.error.code, 'rate_limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter > 60 && retryAfter <= 3600, `Retry-After ${retryAfter} s within the hour window`);
  // Liveness and webhooks are outside the API budget.
  assert.notEqual((await http('GET', `${base}/health`)).status, 429);
});

test('admins have their own hourly budget; searches have a per-minute budget per caller', async () => {
  const base = await app({ RATE_LIMIT_ADMIN_PER_HOUR: '2', RATE_LIMIT_SEARCH_PER_MINUTE: '1000' });
  const adminAnswers = [];
  for (let i = 0; i < 3; i++) adminAnswers.push((await http('GET', `${base}/api/v1/incidents?status=bogus`, { headers: admin })).status);
  assert.deepEqual(adminAnswers, [400, 400, 429]);
  // Anonymous callers are not admins: the admin budget does not apply to them.
  assert.equal((await http('GET', `${base}/api/v1/products?limit=0`)).status, 400);

  const search = await app({ RATE_LIMIT_SEARCH_PER_MINUTE: '2' });
  const searches = [];
  for (let i = 0; i < 3; i++) searches.push(await http('GET', `${search}/api/v1/products?limit=0`));
  assert.deepEqual(searches.map((a) => a.status), [400, 400, 429]);
  assert.match(searches[2].body.error.message, /searches: limit 2 per 60 s/);
  const retryAfter = Number(searches[2].headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  // A read of one item is not a search, and another caller (the admin key) has its own budget.
  assert.equal((await http('GET', `${search}/api/v1/incidents/some-key`)).status, 401, 'not a search: not limited');
  assert.equal((await http('GET', `${search}/api/v1/products?limit=0`, { headers: admin })).status, 400);
});

test('helmet headers on every answer; CORS closed unless an origin is configured', async () => {
  const base = await app();
  const res = await http('GET', `${base}/api/v1/incidents?status=bogus`, { headers: { ...admin, origin: 'https://evil.example' } });
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /upgrade-insecure-requests/);
  assert.equal(res.headers.get('x-powered-by'), null);
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS by default');
  const preflight = await fetch(`${base}/api/v1/orders`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);

  const open = await app({ CORS_ORIGINS: 'https://noc.example.com' });
  const allowed = await fetch(`${open}/api/v1/orders`, { method: 'OPTIONS', headers: { origin: 'https://noc.example.com', 'access-control-request-method': 'POST' } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://noc.example.com');
  const other = await fetch(`${open}/api/v1/orders`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('/metrics needs a key and serves Prometheus text with request latency by route pattern and status', async () => {
  const base = await app();
  assert.equal((await http('GET', `${base}/metrics`)).status, 401);
  await http('GET', `${base}/api/v1/incidents?status=bogus`, { headers: admin });
  const res = await http('GET', `${base}/metrics`, { headers: admin });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(res.text, /pagosflow_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/incidents",status="400"\} [1-9]/);
  assert.match(res.text, /# TYPE pagosflow_webhook_deliveries_total counter/);
  assert.match(res.text, /# TYPE pagosflow_workflow_starts_total counter/);
  assert.match(res.text, /# TYPE pagosflow_provider_call_duration_seconds histogram/);
  assert.match(res.text, /process_cpu_user_seconds_total/);
});

test('the OpenAPI document comes from the zod schemas and /docs browses it with assets served locally', async () => {
  const base = await app();
  const doc = (await http('GET', `${base}/openapi.json`)).body;
  assert.equal(doc.openapi, '3.1.0');
  const createOrder = doc.paths['/api/v1/orders'].post;
  const schema = createOrder.requestBody.content['application/json'].schema;
  // items, or from_cart: true (the order built from the cart); a coupon code either way.
  assert.deepEqual(schema.required.sort(), ['shipping_address']);
  assert.deepEqual([schema.properties.from_cart.type, schema.properties.coupon.type], ['boolean', 'string']);
  assert.equal(schema.properties.items.maxItems, 50);
  assert.deepEqual(createOrder['x-roles'], ['customer', 'admin']);
  assert.deepEqual(doc.paths['/api/v1/incidents/{dedupKey}/acknowledge'].post['x-roles'], ['operator', 'admin']);
  const listIncidents = doc.paths['/api/v1/incidents'].get.parameters.find((p: any) => p.name === 'status');
  assert.deepEqual(listIncidents.schema.enum, ['triggered', 'acknowledged', 'resolved', 'open']);
  assert.deepEqual(doc.paths['/api/v1/api-keys'].post.requestBody.content['application/json'].schema.properties.role.enum, ['viewer', 'operator', 'admin']);

  const page = await http('GET', `${base}/docs/`);
  assert.equal(page.status, 200);
  const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length >= 3 && assets.every((a) => a.startsWith('/')), `only local assets: ${assets}`);
  for (const a of assets) {
    const res = await fetch(`${base}${a}`);
    assert.equal(res.status, 200, a);
    assert.ok((await res.arrayBuffer()).byteLength > 50, a);
  }
});

test('every route the routers declare is in ENDPOINTS (so in the document and the access test), and nothing else is', () => {
  const sources = [...readdirSync(path.join(ROOT, 'api/routes')).map((f) => `api/routes/${f}`), 'api/webhooks/mercadopago.ts', 'api/app.ts'];
  const declared = new Set<string>();
  for (const file of sources) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const mount = file.startsWith('api/routes/') && !['auth.ts', 'health.ts'].includes(path.basename(file)) ? '/api/v1' : '';
    for (const m of text.matchAll(/(?:router|app)\.(get|post|put|patch|delete)\(\s*(['`])([^'`]+)\2/g)) {
      const [, method, , p] = m;
      if (['/openapi.json'].includes(p)) continue;
      // Template paths declare one route per value of their loop (`/incidents/:dedupKey/${path}`).
      const expanded = p.includes('${path}') ? [...text.matchAll(/\['(\w+)', [\w]+\]/g)].map((x) => p.replace('${path}', x[1])) : [p];
      for (const e of expanded) declared.add(`${method.toUpperCase()} ${mount}${e}`);
    }
  }
  const documented = new Set(ENDPOINTS.map((e) => `${e.method.toUpperCase()} ${e.path}`));
  assert.deepEqual([...declared].filter((d) => !documented.has(d)).sort(), [], 'declared but not in ENDPOINTS');
  assert.deepEqual([...documented].filter((d) => !declared.has(d)).sort(), [], 'in ENDPOINTS but not declared');
  assert.ok(documented.size >= 65, `${documented.size} endpoints`);
});
