/**
 * The NOC surface on the running stack (dev server, FerretDB, sandbox, worker and API processes):
 * the dashboard API and /health/deep, the worker's /metrics, the dashboard page in headless
 * Chromium (data, charts, an acknowledge click), the access table (every endpoint: no key → 401,
 * a role not admitted → 403, the least role admitted → 2xx), API keys by API and by CLI, and the
 * access audit log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type mongoose from 'mongoose';
import { chromium } from 'playwright-core';
import { ENDPOINTS, type Endpoint } from '../../api/openapi';
import type { Role } from '../../api/auth/principal';
import { ROOT, waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { incidentQuery } from '../../contracts/ops';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const run = promisify(execFile);
const BOOTSTRAP = 'noc-e2e-bootstrap-admin-key-01';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'artifacts');
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let temporal: Client;
let db: mongoose.Connection;
let admin: ReturnType<typeof sandboxAdmin>;
const keys = {} as Record<'viewer' | 'operator' | 'admin', string>;
let customerToken = '';
const fx: Record<string, string> = {};
const period = new Date().toISOString().slice(0, 7);

const api = (p: string) => `${stack.apiUrl}${p}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asBootstrap = (method: string, p: string, body?: unknown) => http(method, api(`/api/v1${p}`), { headers: bearer(BOOTSTRAP), body, timeoutMs: 90_000 });
let runs = 0;
const runOps = <T = any>(workflowType: string) => temporal.workflow.execute(workflowType, { taskQueue: 'ops', workflowId: `${workflowType}-noc-${++runs}`, args: [] }) as Promise<T>;

async function created<T = any>(res: { status: number; body: T; text: string }, what: string): Promise<T> {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${res.text}`);
  return res.body;
}

before(async () => {
  ctx = await e2eContext({
    env: { API_KEYS: BOOTSTRAP, COMMISSION_HOLD_DAYS: String(2 / 86400), COMMISSION_AUTO_APPROVE_MAX_MINOR: '5000000', TEMPORAL_UI_URL: 'http://127.0.0.1:8233' },
  });
  ({ stack, temporal, db } = ctx);
  admin = sandboxAdmin(stack.sandboxUrl);

  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await created(await asBootstrap('POST', '/api-keys', { name: `noc ${role}`, role }), `${role} key`)).key;
  fx.revocableKey = (await created(await asBootstrap('POST', '/api-keys', { name: 'to revoke', role: 'viewer' }), 'key to revoke')).id;

  // Catalogue and customers.
  fx.sku = `NOC-${Date.now()}`;
  await created(await asBootstrap('POST', '/products', { sku: fx.sku, name: 'Mate imperial', price: '2500.00', currency: 'ARS', stock: 50 }), 'product');
  const reg = await http('POST', api('/auth/register'), { body: { email: `noc-buyer-${Date.now()}@example.com`, password: 'buyer-password-1', name: 'Compradora' } });
  customerToken = (await created(reg, 'customer')).access_token;
  // Logging out revokes the token: the access table logs out with a customer of its own.
  // The account endpoints change their user: each gets an account of its own.
  fx.changerToken = (await created(await http('POST', api('/auth/register'), { body: { email: `noc-changer-${Date.now()}@example.com`, password: 'changer-password-1', name: 'Cambia' } }), 'customer 3')).access_token;
  fx.userToPatch = (await created(await http('POST', api('/auth/register'), { body: { email: `noc-patched-${Date.now()}@example.com`, password: 'patched-password-1', name: 'Editada' } }), 'customer 4')).user.id;
  fx.logoutToken = (await created(await http('POST', api('/auth/register'), { body: { email: `noc-leaver-${Date.now()}@example.com`, password: 'leaver-password-1', name: 'Se va' } }), 'customer 2')).access_token;
  const order = async () =>
    (
      await created(
        await http('POST', api('/api/v1/orders'), { headers: bearer(customerToken), body: { items: [{ sku: fx.sku, quantity: 1 }], shipping_address: { street: 'Av. Siempre Viva 742', city: 'Córdoba', postal_code: 'X5000', country: 'AR' } }, timeoutMs: 60_000 }),
        'order',
      )
    ).order_number as string;
  [fx.order, fx.orderToCancel, fx.orderToStatus] = [await order(), await order(), await order()];

  // Affiliates, campaigns, conversions: one commission payable and paid out, two awaiting a decision.
  const affiliate = async (n: number) =>
    (
      await created(
        await asBootstrap('POST', '/affiliates', { name: `Afiliada ${n}`, email: `noc-af-${n}-${Date.now()}@example.com`, currency: 'COP', tier: 'base', commission: { base_percent: 15, premium_percent: 20, minimum_payout: '30000' }, bank: { bank: 'Banco', account_type: 'ahorros', account_number: '9876543210' } }),
        'affiliate',
      )
    ).affiliate_id as string;
  [fx.affiliate, fx.affiliateToDelete] = [await affiliate(1), await affiliate(2)];
  const campaign = async (status: string) =>
    (
      await created(
        await asBootstrap('POST', '/campaigns', { name: `NOC ${status} ${Date.now()}`, starts_at: new Date(Date.now() - 86_400_000).toISOString(), ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(), budget: '900000000', currency: 'COP', commission: { sale_percent: 15 }, status }),
        'campaign',
      )
    ).campaign_id as string;
  [fx.campaign, fx.draftCampaign] = [await campaign('active'), await campaign('draft')];
  const conv = async (value: string) =>
    created(await asBootstrap('POST', '/conversions', { external_id: `noc-${value}-${Math.random()}`, affiliate_id: fx.affiliate, campaign_id: fx.campaign, type: 'venta', value, currency: 'COP', channel: 'web' }), 'conversion');
  const paid = await conv('250000');
  fx.conversionToRefund = (await conv('100000')).conversion_id;
  fx.commissionToApprove = (await conv('40000000')).commission.commission_id;
  fx.commissionToReject = (await conv('40000000')).commission.commission_id;
  fx.commission = paid.commission.commission_id;
  const statusOf = async (id: string) => (await db.collection('commissions').findOne({ _id: id as never }))?.status;
  await waitFor('commissions held then decided', async () => {
    const s = [await statusOf(fx.commission), await statusOf(fx.commissionToApprove), await statusOf(fx.commissionToReject)];
    if (s.join() !== 'payable,pending_approval,pending_approval') throw new Error(s.join());
  }, { timeoutMs: 60_000 });
  const batch = await created(await asBootstrap('POST', '/payouts/run', { period }), 'payout batch');
  fx.payout = batch.payouts.find((p: any) => p.affiliateId === fx.affiliate).payoutId;

  // A delivery, and two incidents: GoHighLevel down (for the page) and security threats (for the API).
  const p = await admin.createPayment({ status: 'approved', transaction_amount: 1500.5, currency_id: 'ARS', payer: { email: 'noc-client@example.com' } });
  const sent = await admin.sendWebhook({ url: api('/webhooks/mercadopago'), paymentId: p.id });
  fx.webhookEvent = `mp-${sent.notificationId}`;
  await waitFor('the webhook processed', async () => {
    if ((await db.collection('webhook_events').findOne({ _id: fx.webhookEvent as never }))?.status !== 'succeeded') throw new Error('not yet');
  });
  // A delivery that fails for good (CRM down past its retries) and waits for a manual retry.
  await admin.fault({ provider: 'gohighlevel', path: '/contacts/upsert', kind: 'error', status: 503, retryAfterSeconds: 1, count: -1 });
  const crmDown = await admin.sendWebhook({ url: api('/webhooks/mercadopago'), paymentId: (await admin.createPayment({ status: 'approved', transaction_amount: 499.5, currency_id: 'ARS', payer: { email: 'noc-crm-down@example.com' } })).id });
  fx.failedWebhookEvent = `mp-${crmDown.notificationId}`;
  await waitFor('the delivery failed', async () => {
    if ((await db.collection('webhook_events').findOne({ _id: fx.failedWebhookEvent as never }))?.status !== 'failed') throw new Error('not yet');
  }, { timeoutMs: 60_000 });
  await admin.clearFaults();
  for (let i = 0; i < 5; i++) assert.equal((await admin.sendWebhook({ url: api('/webhooks/mercadopago'), paymentId: p.id, secret: 'forged-secret-000' })).status, 401);
  await admin.fault({ provider: 'gohighlevel', path: '/locations/', kind: 'error', status: 503, count: -1 });
  await runOps('healthMonitor');
  await admin.clearFaults();
  await created(await asBootstrap('POST', '/ops/metrics/check'), 'metrics check');
  fx.incident = 'security-threat';
  fx.maintenanceWindow = (await created(await asBootstrap('POST', '/maintenance-windows', { start: new Date().toISOString(), end: new Date(Date.now() + 3_600_000).toISOString(), rules: ['system_overload'], reason: 'noc test' }), 'window')).id;
});
after(async () => {
  await ctx?.stop();
});

test('dashboard API: the overview in seed 000 shapes, realtime figures, alerts with open incidents and execution links', async () => {
  const viewer = bearer(keys.viewer);
  const overview = await http('GET', api('/api/v1/dashboard/overview'), { headers: viewer });
  assert.equal(overview.status, 200, overview.text);
  assert.equal(overview.body.status, 'success');
  const d = overview.body.data;
  assert.deepEqual(Object.keys(d).sort(), ['financials', 'metadata', 'performance', 'security', 'system_health', 'trends']);
  // Two approved payments: the delivered one and the one whose CRM step failed (the payment is stored first).
  assert.equal(d.financials.total_processed_today.ARS, 2000);
  assert.equal(d.financials.payments_approved, 2);
  assert.deepEqual(d.performance.transactions_per_client, { 'noc-client@example.com': 1, 'noc-crm-down@example.com': 1 });
  assert.equal(d.security.threats_last_hour, 5);
  assert.equal(d.trends.hourly_volume.length, 24);
  assert.equal(d.trends.daily_revenue.length, 7);
  assert.equal(d.metadata.stale, false);
  assert.deepEqual(d.system_health.services.map((s: any) => s.name).sort(), ['GoHighLevel API', 'MercadoPago API', 'MongoDB', 'Temporal']);

  const realtime = await http('GET', api('/api/v1/dashboard/metrics/realtime'), { headers: viewer });
  assert.equal(realtime.status, 200);
  assert.equal(realtime.body.data.webhooks_last_hour.succeeded, 1);
  assert.equal(realtime.body.data.webhooks_last_hour.failed, 1);
  assert.equal(realtime.body.data.threat_level, 'high');
  assert.ok(realtime.body.data.open_incidents >= 2);

  const alerts = await http('GET', api('/api/v1/dashboard/alerts'), { headers: viewer });
  assert.equal(alerts.status, 200);
  const keysOpen = alerts.body.data.incidents.map((i: any) => i.dedup_key);
  assert.ok(keysOpen.includes('security-threat') && keysOpen.includes('dependency-down:gohighlevel'), keysOpen.join());
  assert.equal(alerts.body.data.summary.by_severity.critical >= 2, true);
  const ghl = alerts.body.data.incidents.find((i: any) => i.dedup_key === 'dependency-down:gohighlevel');
  assert.match(ghl.execution.url, /^http:\/\/127\.0\.0\.1:8233\/namespaces\/[^/]+\/workflows\/incident-dependency-down%3Agohighlevel\//);
  assert.ok(keysOpen.includes(`webhook-failed:${fx.failedWebhookEvent}`) || alerts.body.data.recent_alerts.some((a: any) => a.dedup_key === `webhook-failed:${fx.failedWebhookEvent}`), 'the failed delivery’s alert');
  assert.ok(alerts.body.data.maintenance_windows.some((w: any) => w.reason === 'noc test'));

  // The check runs the metrics workflow: security threats again → added to the open incident.
  const check = await http('POST', api('/api/v1/dashboard/alerts/check'), { headers: bearer(keys.operator), timeoutMs: 60_000 });
  assert.equal(check.status, 200, check.text);
  assert.deepEqual(check.body.data.alerts.find((a: any) => a.rule === 'security_threat'), { dedup_key: 'security-threat', rule: 'security_threat', outcome: 'added' });
});

test('/health/deep: samples per dependency, collection counts, task-queue pollers and recommendations; the worker serves its own /metrics', async () => {
  await admin.fault({ provider: 'gohighlevel', path: '/locations/', kind: 'delay', delayMs: 1300, count: 3 });
  await admin.fault({ provider: 'mercadopago', path: '/v1/payment_methods', kind: 'error', status: 503, count: 3 });
  const res = await http('GET', api('/health/deep'), { headers: bearer(keys.viewer), timeoutMs: 60_000 });
  await admin.clearFaults();
  assert.equal(res.status, 503, 'unhealthy is 503 for monitors');
  const h = res.body;
  assert.equal(h.status, 'unhealthy');
  assert.deepEqual(Object.keys(h.services).sort(), ['gohighlevel_api', 'mercadopago_api', 'mongodb', 'temporal']);
  assert.equal(h.services.mongodb.status, 'healthy');
  assert.equal(h.services.mongodb.samples, 3);
  assert.equal(h.services.mercadopago_api.status, 'unhealthy');
  assert.equal(h.services.gohighlevel_api.status, 'degraded');
  assert.ok(h.services.gohighlevel_api.response_time_ms >= 1300);
  assert.deepEqual(h.external_apis.mercadopago, { status: 'error', latency_ms: null, samples: 3 });
  assert.equal(h.database.tables.products.status, 'healthy');
  assert.ok(h.database.tables.products.count >= 1 && h.database.tables.orders.count >= 3, JSON.stringify(h.database.tables));
  const ops = h.task_queues.find((q: any) => q.task_queue === 'ops');
  assert.ok(ops.workflow_pollers >= 1 && ops.activity_pollers >= 1, JSON.stringify(ops));
  assert.ok(h.recommendations.some((r: string) => /^Consider optimizing GoHighLevel API - response time is 1[3-9]\d\dms$/.test(r)), h.recommendations.join(' | '));
  assert.ok(h.recommendations.some((r: string) => r.startsWith('MercadoPago API is not answering')), h.recommendations.join(' | '));
  assert.equal((await http('GET', api('/health/deep'))).status, 401);

  const worker = await http('GET', `http://127.0.0.1:${stack.env.WORKER_METRICS_PORT}/metrics`);
  assert.equal(worker.status, 200);
  assert.match(worker.text, /pagosflow_provider_call_duration_seconds_count\{provider="mercadopago",method="GET",status="200"\} [1-9]/);
  assert.match(worker.text, /pagosflow_provider_call_duration_seconds_count\{provider="gohighlevel",method="(POST|PUT|GET)",status="2\d\d"\} [1-9]/);
  const apiMetrics = await http('GET', api('/metrics'), { headers: bearer(keys.viewer) });
  assert.match(apiMetrics.text, /pagosflow_webhook_deliveries_total\{provider="mercadopago",outcome="accepted"\} [1-9]/);
  assert.match(apiMetrics.text, /pagosflow_webhook_deliveries_total\{provider="mercadopago",outcome="invalid_signature"\} [5-9]/);
  assert.match(apiMetrics.text, /pagosflow_workflow_starts_total\{workflow="processMercadoPagoNotificationV2"\} [1-9]/);
  assert.match(apiMetrics.text, /pagosflow_workflow_starts_total\{workflow="orderCheckout"\} [3-9]/);
  assert.match(apiMetrics.text, /pagosflow_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/dashboard\/overview",status="200"\} [1-9]/);
});

test('the dashboard page in headless Chromium: data, drawn charts, an acknowledge click acknowledges the incident', async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 1000 } });
    const external: string[] = [];
    let overviewRequests = 0;
    page.on('request', (r) => {
      if (!r.url().startsWith(stack.apiUrl)) external.push(r.url());
      if (r.url().endsWith('/api/v1/dashboard/overview')) overviewRequests++;
    });
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    await page.clock.install();
    await page.goto(api('/dashboard/'));
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#api-key', 'pfk_000000000000_not-a-real-key-not-a-real-key-not-a-real');
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#signin-error:not([hidden])');
    assert.match(await page.textContent('#signin-error') ?? '', /no es válida/);

    await page.fill('#api-key', keys.operator);
    await page.click('#signin button[type=submit]');
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.state === 'ready', undefined, { timeout: 30_000 });
    assert.match(await page.textContent('#fin-today') ?? '', /2\.000,00/);
    assert.equal((await page.textContent('#fin-counts'))?.trim(), '2 / 0 / 0');
    assert.match(await page.textContent('#threat-level') ?? '', /high/);
    assert.equal(await page.locator('#services li').count(), 4);
    assert.equal(await page.getAttribute('#services li[data-service="MongoDB"] .dot', 'class'), 'dot healthy');
    // The charts drew: Chart.js instances with data, and pixels on each canvas.
    // Runs in the page (DOM types are not in this project's compilation, hence `any`).
    const charts = await page.evaluate(() =>
      ['chart-hourly', 'chart-daily', 'chart-clients'].map((id) => {
        const w = globalThis as any;
        const canvas = w.document.getElementById(id);
        const chart = w.Chart.getChart(canvas);
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
        return { id, type: chart?.config.type, points: chart?.data.datasets[0].data.length, sum: chart?.data.datasets[0].data.reduce((a: number, b: number) => a + b, 0), painted };
      }),
    );
    assert.deepEqual(charts.map((c) => [c.id, c.type, c.points]), [['chart-hourly', 'line', 24], ['chart-daily', 'bar', 7], ['chart-clients', 'doughnut', 2]]);
    assert.equal(charts[0].sum, 2, 'two payments in the last 24 h');
    assert.equal(charts[1].sum, 2000, 'today’s revenue in the daily bars');
    for (const c of charts) assert.ok(c.painted > 500, `${c.id} painted ${c.painted} pixels`);

    const row = page.locator('tr[data-incident="dependency-down:gohighlevel"]');
    assert.match((await row.locator('a.execution').getAttribute('href')) ?? '', /\/workflows\/incident-dependency-down%3Agohighlevel\//);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await row.locator('button.ack').click();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('tr[data-incident="dependency-down:gohighlevel"] .incident-status')?.textContent?.includes('reconocido'), undefined, { timeout: 30_000 });
    const state = await temporal.workflow.getHandle('incident-dependency-down:gohighlevel').query(incidentQuery);
    assert.equal(state.status, 'acknowledged');
    assert.equal(state.acknowledgedBy, 'api-key:noc operator');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-acknowledged.png'), fullPage: true });

    // It redraws every 30 s (the page's clock is moved on, not waited for).
    // (Polled from here: with the page's timers faked, in-page polling would not advance.)
    const before = overviewRequests;
    await page.clock.fastForward(31_000);
    await waitFor('the 30 s refresh', async () => assert.ok(overviewRequests > before, `${overviewRequests} overview requests`), { timeoutMs: 15_000 });

    // A failing endpoint shows the error state and keeps the rest of the board.
    await page.route('**/api/v1/dashboard/metrics/realtime', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) }));
    await page.click('#refresh');
    await waitFor('the error state', async () => assert.equal(await page.evaluate(() => (globalThis as any).document.body.dataset.state), 'error'), { timeoutMs: 15_000 });
    assert.match((await page.textContent('#banner')) ?? '', /Error al cargar: boom/);
    assert.match((await page.textContent('#fin-today')) ?? '', /2\.000,00/);
    await page.unroute('**/api/v1/dashboard/metrics/realtime');

    // Narrow screens get one column.
    await page.setViewportSize({ width: 390, height: 844 });
    const columns = await page.evaluate(() => {
      const w = globalThis as any;
      return w.getComputedStyle(w.document.querySelector('.grid')).gridTemplateColumns.split(' ').length as number;
    });
    assert.equal(columns, 1);
    assert.deepEqual(external, [], 'every asset is served by the project');
    assert.deepEqual(consoleErrors.filter((e) => !/401|500/.test(e)), []);

    // The API reference renders under the same CSP, from local assets only.
    const docs = await browser.newPage();
    const docsExternal: string[] = [];
    docs.on('request', (r) => {
      if (!r.url().startsWith(stack.apiUrl)) docsExternal.push(r.url());
    });
    await docs.goto(api('/docs/'));
    await docs.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    assert.ok((await docs.locator('.opblock').count()) >= 65, 'every operation listed');
    assert.deepEqual(docsExternal, [], 'the docs page loads nothing from the internet');
  } finally {
    await browser.close();
  }
});

/** Concrete requests for each endpoint, on the fixtures made in before(). */
function requestFor(ep: Endpoint): { path: string; body?: unknown; token?: string } {
  const p = (s: string) => s.replace(':sku', fx.sku).replace(':number', fx.order).replace(':dedupKey', fx.incident).replace(':file', `${period}.csv`);
  const special: Record<string, { path?: string; body?: unknown; token?: string }> = {
    'POST /webhooks/mercadopago': {},
    'POST /auth/register': { body: { email: `noc-new-${Date.now()}@example.com`, password: 'another-password-1', name: 'Nueva' } },
    'POST /auth/login': { body: { email: 'nobody@example.com', password: 'x' } },
    'POST /auth/refresh': {},
    'POST /auth/logout': { body: {}, token: fx.logoutToken },
    'POST /auth/forgot-password': { body: { email: 'nobody@example.com' } },
    'POST /auth/reset-password': { body: { token: 'x'.repeat(43), password: 'a-new-password-1' } },
    'PATCH /auth/me': { body: { name: 'Compradora' } },
    'POST /auth/change-password': { body: { current: 'changer-password-1', new: 'changer-password-2' }, token: fx.changerToken },
    'PATCH /api/v1/admin/users/:id': { path: `/api/v1/admin/users/${fx.userToPatch}`, body: { role: 'customer' } },
    'POST /api/v1/products': { body: { sku: `NOC-NEW-${Date.now()}`, name: 'Bombilla', price: '800.00', currency: 'ARS', stock: 3 } },
    'PATCH /api/v1/products/:sku': { body: { name: 'Mate imperial de calabaza' } },
    'POST /api/v1/products/:sku/stock': { body: { delta: 5, reason: 'restock' } },
    'POST /api/v1/orders': { body: { items: [{ sku: fx.sku, quantity: 1 }], shipping_address: { street: 'Calle 1', city: 'Rosario', postal_code: 'S2000', country: 'AR' } } },
    'POST /api/v1/orders/:number/retry': { path: `/api/v1/orders/${fx.orderToRetry}/retry` },
    'POST /api/v1/orders/:number/cancel': { path: `/api/v1/orders/${fx.orderToCancel}/cancel`, body: { reason: 'test' } },
    'PATCH /api/v1/orders/:number/status': { path: `/api/v1/orders/${fx.orderToStatus}/status`, body: { status: 'cancelled', reason: 'stock check' } },
    'GET /api/v1/webhook-events/:id': { path: `/api/v1/webhook-events/${fx.webhookEvent}` },
    'POST /api/v1/webhook-events/:id/retry': { path: `/api/v1/webhook-events/${fx.failedWebhookEvent}/retry` },
    'POST /api/v1/webhook-events/retry': { body: {} },
    'POST /api/v1/affiliates': { body: { name: 'Nuevo', email: `noc-af-new-${Date.now()}@example.com`, currency: 'COP', commission: { base_percent: 10, premium_percent: 12, minimum_payout: '1000' } } },
    'GET /api/v1/affiliates/:id': { path: `/api/v1/affiliates/${fx.affiliate}` },
    'PATCH /api/v1/affiliates/:id': { path: `/api/v1/affiliates/${fx.affiliate}`, body: { phone: '+57 300 000 0000' } },
    'DELETE /api/v1/affiliates/:id': { path: `/api/v1/affiliates/${fx.affiliateToDelete}` },
    'POST /api/v1/campaigns': { body: { name: `NOC new ${Date.now()}`, starts_at: new Date().toISOString(), ends_at: new Date(Date.now() + 86_400_000).toISOString(), budget: '1000', currency: 'COP' } },
    'GET /api/v1/campaigns/:id': { path: `/api/v1/campaigns/${fx.campaign}` },
    'PATCH /api/v1/campaigns/:id': { path: `/api/v1/campaigns/${fx.campaign}`, body: { description: 'actualizada' } },
    'POST /api/v1/campaigns/:id/activate': { path: `/api/v1/campaigns/${fx.draftCampaign}/activate` },
    'POST /api/v1/conversions': { body: { external_id: `noc-table-${Date.now()}`, affiliate_id: fx.affiliate, campaign_id: fx.campaign, type: 'lead', value: '1000', currency: 'COP', channel: 'web' } },
    'POST /api/v1/conversions/:id/refund': { path: `/api/v1/conversions/${fx.conversionToRefund}/refund`, body: { reason: 'devolución' } },
    'GET /api/v1/commissions/:id': { path: `/api/v1/commissions/${fx.commission}` },
    'POST /api/v1/commissions/:id/approve': { path: `/api/v1/commissions/${fx.commissionToApprove}/approve`, body: { comment: 'ok' } },
    'POST /api/v1/commissions/:id/reject': { path: `/api/v1/commissions/${fx.commissionToReject}/reject`, body: { comment: 'no' } },
    'POST /api/v1/payouts/run': { body: { period } },
    'POST /api/v1/payouts/:id/confirm': { path: `/api/v1/payouts/${fx.payout}/confirm`, body: { reference: 'TRX-NOC' } },
    'POST /api/v1/incidents/:dedupKey/acknowledge': { body: { note: 'mirando' } },
    'POST /api/v1/incidents/:dedupKey/resolve': { body: { note: 'listo' } },
    'POST /api/v1/maintenance-windows': { body: { start: new Date().toISOString(), end: new Date(Date.now() + 60_000).toISOString(), rules: [], reason: 'table' } },
    'DELETE /api/v1/maintenance-windows/:id': { path: `/api/v1/maintenance-windows/${fx.maintenanceWindow}` },
    'POST /api/v1/api-keys': { body: { name: 'table', role: 'viewer' } },
    'GET /api/v1/reconciliation/reports/:date': { path: `/api/v1/reconciliation/reports/${new Date().toISOString().slice(0, 10)}` },
    'DELETE /api/v1/api-keys/:id': { path: `/api/v1/api-keys/${fx.revocableKey}` },
    'POST /api/v1/cart/items': { body: { sku: fx.sku, quantity: 1 } },
    'PUT /api/v1/cart/items/:sku': { body: { quantity: 2 } },
    'POST /api/v1/cart/checkout': { body: { shipping_address: { street: 'Calle 3', city: 'Salta', postal_code: 'A4400', country: 'AR' } } },
    'POST /api/v1/coupons': { body: { code: 'NOCTABLA', type: 'percent', value: 10 } },
    'GET /api/v1/coupons/:code': { path: '/api/v1/coupons/NOCTABLA' },
    'PATCH /api/v1/coupons/:code': { path: '/api/v1/coupons/NOCTABLA', body: { usage_limit: 5 } },
    'DELETE /api/v1/coupons/:code': { path: '/api/v1/coupons/NOCTABLA' },
    'PUT /api/v1/products/:sku': { body: { name: 'Mate imperial', price: '2500.00', currency: 'ARS' } },
    'DELETE /api/v1/products/:sku': { path: `/api/v1/products/${fx.skuToArchive}` },
    'GET /api/v1/categories/:slug': { path: `/api/v1/categories/${fx.category}` },
    'POST /api/v1/categories': { body: { slug: `noc-new-${Date.now()}`, name: 'Nueva' } },
    'PATCH /api/v1/categories/:slug': { path: `/api/v1/categories/${fx.category}`, body: { name: 'Mates y bombillas' } },
    'DELETE /api/v1/categories/:slug': { path: `/api/v1/categories/${fx.categoryToDelete}` },
    'GET /api/v1/search/products': { path: '/api/v1/search/products?q=mate' },
    'GET /api/v1/search/suggestions': { path: '/api/v1/search/suggestions?q=ma' },
    'POST /api/v1/products/:sku/reviews': { body: { rating: 5, text: 'Excelente' } },
    'PUT /api/v1/products/:sku/reviews/mine': { path: `/api/v1/products/${fx.reviewedSku}/reviews/mine`, body: { rating: 4, text: 'Muy bueno' } },
    'PATCH /api/v1/admin/reviews/:id': { path: `/api/v1/admin/reviews/${fx.review}`, body: { hidden: true } },
  };
  const s = special[`${ep.method.toUpperCase()} ${ep.path}`] ?? {};
  return { path: s.path ?? p(ep.path), body: s.body ?? (ep.method === 'post' || ep.method === 'patch' ? {} : undefined), token: s.token };
}

const credentialsOf = (role: Role) => (role === 'customer' ? customerToken : keys[role]);
/** The role to refuse: the strongest not admitted (so a 403 shows the line sits where it should). */
const refusedRole = (admitted: Role[]) => (['admin', 'operator', 'viewer', 'customer'] as Role[]).find((r) => !admitted.includes(r));
/** The role to admit: the weakest admitted. */
const leastRole = (admitted: Role[]) => (['customer', 'viewer', 'operator', 'admin'] as Role[]).find((r) => admitted.includes(r))!;

/**
 * An order whose CRM step failed for good (GoHighLevel refusing with 401) and waits for a manual
 * retry: what POST /orders/:number/retry exists for. Made here, after the dashboard's figures were
 * checked, since paying it adds a payment to them.
 */
async function orderWithFailedStep(): Promise<string> {
  await admin.fault({ provider: 'gohighlevel', path: '/opportunities/upsert', kind: 'error', status: 401, count: -1 });
  try {
    const placed = await created(
      await http('POST', api('/api/v1/orders'), { headers: bearer(customerToken), body: { items: [{ sku: fx.sku, quantity: 1 }], shipping_address: { street: 'Calle 2', city: 'Mendoza', postal_code: 'M5500', country: 'AR' } }, timeoutMs: 60_000 }),
      'order to retry',
    );
    await admin.payPreference(placed.payment.preference_id);
    await waitFor(
      'the order’s CRM step failed',
      async () => {
        const o = (await http('GET', api(`/api/v1/orders/${placed.order_number}`), { headers: bearer(keys.operator) })).body;
        if (!(o.failed_steps?.length > 0)) throw new Error(`status ${o.status}, pending ${o.pending_effects}`);
      },
      { timeoutMs: 60_000 },
    );
    return placed.order_number;
  } finally {
    await admin.clearFaults();
  }
}

/**
 * The shop's fixtures for the access table: categories, a product to archive, and a delivered
 * order of the table's customer containing fx.sku and a second product already reviewed (reviews
 * need a delivered order; made here, after the dashboard's figures were checked, since paying adds
 * a payment to them).
 */
async function shopFixtures(): Promise<void> {
  fx.category = `noc-mates-${Date.now()}`;
  await created(await asBootstrap('POST', '/categories', { slug: fx.category, name: 'Mates' }), 'category');
  fx.categoryToDelete = `noc-empty-${Date.now()}`;
  await created(await asBootstrap('POST', '/categories', { slug: fx.categoryToDelete, name: 'Vacía' }), 'category to delete');
  fx.skuToArchive = `NOC-ARCHIVE-${Date.now()}`;
  await created(await asBootstrap('POST', '/products', { sku: fx.skuToArchive, name: 'Termo', price: '900.00', currency: 'ARS', category: fx.category }), 'product to archive');
  fx.reviewedSku = `NOC-REVIEWED-${Date.now()}`;
  await created(await asBootstrap('POST', '/products', { sku: fx.reviewedSku, name: 'Yerba', price: '300.00', currency: 'ARS', stock: 5 }), 'product to review');
  const placed = await created(
    await http('POST', api('/api/v1/orders'), { headers: bearer(customerToken), body: { items: [{ sku: fx.sku, quantity: 1 }, { sku: fx.reviewedSku, quantity: 1 }], shipping_address: { street: 'Calle 3', city: 'Salta', postal_code: 'A4400', country: 'AR' } }, timeoutMs: 60_000 }),
    'order to deliver',
  );
  await admin.payPreference(placed.payment.preference_id);
  const statusIs = (status: string) =>
    waitFor(`the order ${status}`, async () => {
      const o = (await http('GET', api(`/api/v1/orders/${placed.order_number}`), { headers: bearer(keys.viewer) })).body;
      if (o.status !== status) throw new Error(`status ${o.status}`);
    }, { timeoutMs: 60_000 });
  await statusIs('confirmed');
  for (const body of [{ status: 'processing' }, { status: 'shipped', tracking_number: 'AR999888777' }, { status: 'delivered' }]) await created(await asBootstrap('PATCH', `/orders/${placed.order_number}/status`, body), `order ${body.status}`);
  await statusIs('delivered');
  fx.review = (await created(await http('POST', api(`/api/v1/products/${fx.reviewedSku}/reviews`), { headers: bearer(customerToken), body: { rating: 5, text: 'Rica' } }), 'review')).id;
}

test('every endpoint: no credentials → 401, a role not admitted → 403, the least role admitted → 2xx', async () => {
  fx.orderToRetry = await orderWithFailedStep();
  await shopFixtures();
  const failures: string[] = [];
  let checked = 0;
  for (const ep of ENDPOINTS) {
    if (ep.access === 'signature') continue; // the webhook's signature checks have their own tests
    const { path: p, body, token } = requestFor(ep);
    const call = (headers: Record<string, string>) => http(ep.method.toUpperCase(), api(p), { headers, body, timeoutMs: 90_000 });
    const name = `${ep.method.toUpperCase()} ${ep.path}`;
    if (Array.isArray(ep.access)) {
      const none = await call({});
      if (none.status !== 401) failures.push(`${name} without credentials: ${none.status}`);
      const refused = refusedRole(ep.access);
      if (refused) {
        const wrong = await call(bearer(credentialsOf(refused)));
        if (wrong.status !== 403) failures.push(`${name} as ${refused}: ${wrong.status} ${wrong.text.slice(0, 200)}`);
      }
      const role = leastRole(ep.access);
      const right = await call(bearer(token ?? credentialsOf(role)));
      if (right.status < 200 || right.status > 299) failures.push(`${name} as ${role}: ${right.status} ${right.text.slice(0, 300)}`);
    } else {
      // Public: anyone, and a bad body is a 4xx naming the field, never a 500.
      const anon = await call({});
      const ok = ep.path === '/auth/login' || ep.path === '/auth/refresh' || ep.path === '/auth/reset-password' ? anon.status === 400 || anon.status === 401 : anon.status >= 200 && anon.status < 300;
      if (!ok) failures.push(`${name} anonymous: ${anon.status} ${anon.text.slice(0, 200)}`);
    }
    checked++;
  }
  assert.deepEqual(failures, []);
  assert.ok(checked >= 65, `${checked} endpoints checked`);
});

test('POST /orders/:number/retry: 202 only while a step waits for its retry, else 409 not_failed naming the order’s status', async () => {
  const op = bearer(keys.operator);
  const retry = (number: string) => http('POST', api(`/api/v1/orders/${number}/retry`), { headers: op, body: {} });
  const idle = await retry(fx.order);
  assert.deepEqual([idle.status, idle.body.error.code, idle.body.error.status], [409, 'not_failed', 'awaiting_payment'], idle.text);
  assert.match(idle.body.error.message, /no failed step waiting for a retry/);
  // The access walk's retry (202) ran the failed CRM step again, which now succeeds: asking again is a conflict.
  await waitFor('the retried order healed', async () => {
    const o = (await http('GET', api(`/api/v1/orders/${fx.orderToRetry}`), { headers: op })).body;
    if (o.failed_steps || o.pending_effects.length > 0) throw new Error(`failed ${JSON.stringify(o.failed_steps)}, pending ${o.pending_effects}`);
  }, { timeoutMs: 60_000 });
  const healed = await retry(fx.orderToRetry);
  assert.deepEqual([healed.status, healed.body.error.code, healed.body.error.status], [409, 'not_failed', 'confirmed']);
  const missing = await retry('PF-NOSUCHORDER1');
  assert.deepEqual([missing.status, missing.body.error.field], [404, 'order_number']);
});

test('API keys: created by CLI and by API, listed without secrets, revoked keys are 401 at once; the audit log records who did what', async () => {
  const env = { ...process.env, ...stack.env };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/apikey.ts'), 'create', '--name', 'grafana', '--role', 'viewer', '--json'], { cwd: ROOT, env });
  const cli = JSON.parse(stdout);
  assert.equal(cli.role, 'viewer');
  assert.match(cli.key, /^pfk_[0-9a-f]{12}_[\w-]{43}$/);
  const viewerHeaders = bearer(cli.key);
  assert.equal((await http('GET', api('/api/v1/dashboard/alerts'), { headers: viewerHeaders })).status, 200);
  assert.equal((await http('POST', api('/api/v1/dashboard/alerts/check'), { headers: viewerHeaders })).status, 403);

  const stored = await db.collection('api_keys').findOne({ _id: cli.id as never });
  assert.ok(stored && !JSON.stringify(stored).includes(cli.key.split('_')[2]), 'only the hash is stored');
  const listed = await http('GET', api('/api/v1/api-keys'), { headers: bearer(keys.admin) });
  assert.ok(listed.body.items.some((k: any) => k.id === cli.id && k.status === 'active' && k.name === 'grafana'));
  assert.ok(!listed.text.includes(cli.key), 'no secret in the listing');
  const list = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/apikey.ts'), 'list'], { cwd: ROOT, env });
  assert.match(list.stdout, new RegExp(`${cli.id}\\s+viewer\\s+active\\s+grafana`));

  const revoked = await http('DELETE', api(`/api/v1/api-keys/${cli.id}`), { headers: bearer(keys.admin) });
  assert.equal(revoked.status, 200);
  assert.equal((await http('DELETE', api(`/api/v1/api-keys/${cli.id}`), { headers: bearer(keys.admin) })).status, 409);
  const after = await http('GET', api('/api/v1/dashboard/alerts'), { headers: viewerHeaders });
  assert.deepEqual([after.status, after.body.error.code], [401, 'unauthenticated']);
  const byCli = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/apikey.ts'), 'revoke', cli.id], { cwd: ROOT, env }).catch((e) => e);
  assert.equal(byCli.code, 1);
  assert.match(byCli.stderr, /already revoked/);
  const bad = await http('POST', api('/api/v1/api-keys'), { headers: bearer(keys.admin), body: { name: 'x', role: 'root' } });
  assert.deepEqual([bad.status, bad.body.error.field], [400, 'role']);

  // The audit log: the viewer's allowed read, its refused check, the revoked key's attempt.
  await waitFor('audit rows stored', async () => {
    const rows = (await http('GET', api(`/api/v1/audit?actor=${cli.id}`), { headers: bearer(keys.admin) })).body.items;
    const seen = rows.map((r: any) => `${r.method} ${r.route} ${r.status} ${r.result}`);
    for (const want of ['GET /api/v1/dashboard/alerts 200 allowed', 'POST /api/v1/dashboard/alerts/check 403 forbidden']) if (!seen.includes(want)) throw new Error(`missing ${want}: ${seen}`);
  });
  const denied = (await http('GET', api('/api/v1/audit?result=unauthenticated&limit=500'), { headers: bearer(keys.admin) })).body.items;
  assert.ok(denied.some((r: any) => r.path === '/api/v1/dashboard/alerts' && r.actor.kind === 'anonymous'), 'a revoked key is an anonymous, refused caller');
  const byAdmin = (await http('GET', api(`/api/v1/audit?actor=${encodeURIComponent('noc admin')}`), { headers: bearer(keys.admin) })).body.items;
  assert.ok(byAdmin.some((r: any) => r.method === 'DELETE' && r.path === `/api/v1/api-keys/${cli.id}` && r.status === 200 && r.actor.role === 'admin'));
  assert.equal((await http('GET', api('/api/v1/audit'), { headers: bearer(keys.operator) })).status, 403);
  assert.equal((await http('GET', api('/api/v1/audit?since=yesterday'), { headers: bearer(keys.admin) })).body.error.field, 'since');
});
