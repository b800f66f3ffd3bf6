/**
 * The API's OpenAPI document, generated from the same zod schemas the routes validate with
 * (zod-openapi). ENDPOINTS is the one list of every endpoint and who may call it: the document
 * is built from it, and the access test walks it (no key → 401, wrong role → 403, right role → 2xx).
 */
import { z, type ZodType } from 'zod';
import { createDocument } from 'zod-openapi';
import { API_KEY_ROLES } from '../domain/persistence/models/api-key';
import type { Role } from './auth/principal';
import * as access from './routes/access';
import * as affiliates from './routes/affiliates';
import * as cart from './routes/cart';
import * as coupons from './routes/coupons';
import * as auth from './routes/auth';
import * as commissions from './routes/commissions';
import * as incidents from './routes/incidents';
import * as orders from './routes/orders';
import * as payments from './routes/payments';
import * as products from './routes/products';
import * as reconciliation from './routes/reconciliation';
import * as webhookEvents from './routes/webhook-events';

/** `public`: anyone; `signature`: a provider's signed webhook; otherwise the roles admitted. */
export type Access = 'public' | 'signature' | Role[];

export interface Endpoint {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express pattern, as mounted (`/api/v1/orders/:number`). */
  path: string;
  access: Access;
  tag: string;
  summary: string;
  query?: ZodType;
  body?: ZodType;
  /** Success statuses other than 200 (201 created, 202 accepted, 204 no content). */
  ok?: number[];
  /** The success body of the main resources (other endpoints answer JSON described by their summary). */
  response?: ZodType;
}

// Response shapes of the main resources: the fields clients rely on; more may be present.
const money = z.string().regex(/^-?\d+(\.\d+)?$/).describe('decimal text, exact');
const productResponse = z
  .looseObject({ sku: z.string(), name: z.string(), price: money, price_minor: z.number().int(), currency: z.string(), active: z.boolean(), stock: z.object({ available: z.number().int(), reserved: z.number().int() }) })
  .meta({ id: 'Product' });
const orderResponse = z
  .looseObject({
    order_number: z.string(),
    status: z.string(),
    currency: z.string(),
    total: money,
    total_minor: z.number().int(),
    items: z.array(z.looseObject({ sku: z.string(), quantity: z.number().int(), unit_price: money, line_total: money })),
    payment: z.looseObject({ status: z.string() }).nullable(),
  })
  .meta({ id: 'Order' });
const checkoutResponse = z
  .looseObject({ order_number: z.string(), status: z.string(), currency: z.string(), total: money, total_minor: z.number().int(), payment: z.looseObject({ init_point: z.string().optional(), preference_id: z.string().optional() }).nullable() })
  .meta({ id: 'Checkout' });
const paymentResponse = z
  .looseObject({ paymentId: z.string(), status: z.string(), currency: z.string(), amountMinor: z.number().int(), dateLastUpdated: z.string() })
  .meta({ id: 'Payment' });
const cartResponse = z
  .looseObject({
    items: z.array(z.looseObject({ sku: z.string(), quantity: z.number().int(), for_sale: z.boolean(), unit_price: money.nullable(), line_total: money.nullable(), available: z.number().int(), in_stock: z.boolean() })),
    item_count: z.number().int(),
    currency: z.string().nullable(),
    subtotal: money.nullable(),
    subtotal_minor: z.number().int().nullable(),
  })
  .meta({ id: 'Cart' });
const couponResponse = z
  .looseObject({ code: z.string(), type: z.enum(['percent', 'fixed']), value: z.union([z.number(), money]), currency: z.string().nullable(), usage_limit: z.number().int().nullable(), used: z.number().int(), active: z.boolean() })
  .meta({ id: 'Coupon' });
const listOf = (item: ZodType, cursor: 'nextCursor' | 'next_after') => z.looseObject({ items: z.array(item), [cursor]: z.string().nullable() });

const viewer = [...API_KEY_ROLES];
const operator: Role[] = ['operator', 'admin'];
const admin: Role[] = ['admin'];
const user: Role[] = ['customer', 'admin'];

const e = (method: Endpoint['method'], path: string, access: Access, tag: string, summary: string, io: { query?: ZodType; body?: ZodType; ok?: number[]; response?: ZodType } = {}): Endpoint => ({ method, path, access, tag, summary, ...io });
const v1 = (p: string) => `/api/v1${p}`;

export const ENDPOINTS: Endpoint[] = [
  e('get', '/health', 'public', 'health', 'Liveness plus Temporal and MongoDB (503 when Temporal is down)'),
  e('get', '/health/deep', viewer, 'health', 'Latency probes with samples, collection counts, task-queue pollers and recommendations'),
  e('get', '/metrics', viewer, 'health', 'Prometheus metrics of the API process'),
  e('post', '/webhooks/mercadopago', 'signature', 'webhooks', 'MercadoPago notification (x-signature verified); acknowledged at once, processed by a workflow'),

  e('post', '/auth/register', 'public', 'auth', 'Create a customer account', { body: auth.registerBody, ok: [201] }),
  e('post', '/auth/login', 'public', 'auth', 'Sign in: access and refresh tokens', { body: auth.loginBody }),
  e('post', '/auth/refresh', 'public', 'auth', 'Exchange a refresh token (rotated on use)', { body: auth.refreshBody }),
  e('post', '/auth/logout', user, 'auth', 'Revoke the access token and, if given, the refresh token', { body: auth.logoutBody, ok: [204] }),
  e('get', '/auth/me', user, 'auth', 'The signed-in user'),

  e('get', v1('/products'), 'public', 'catalogue', 'Search the catalogue', { query: products.listQuery, response: listOf(productResponse, 'next_after') }),
  e('get', v1('/products/:sku'), 'public', 'catalogue', 'One product with its stock', { response: productResponse }),
  e('post', v1('/products'), admin, 'catalogue', 'Create a product', { body: products.createBody, ok: [201], response: productResponse }),
  e('patch', v1('/products/:sku'), admin, 'catalogue', 'Update a product', { body: products.updateBody, response: productResponse }),
  e('post', v1('/products/:sku/stock'), admin, 'catalogue', 'Adjust stock', { body: products.stockBody }),

  e('post', v1('/orders'), user, 'orders', 'Place an order (signed-in customer); answers with the payment link', { body: orders.createBody, ok: [202, 200], response: checkoutResponse }),
  e('get', v1('/orders'), ['customer', ...viewer], 'orders', "Orders: a customer's own, or all for staff", { query: orders.listQuery, response: listOf(orderResponse, 'nextCursor') }),
  e('get', v1('/orders/:number'), ['customer', ...viewer], 'orders', 'One order with its live state', { response: orderResponse }),
  e('post', v1('/orders/:number/cancel'), ['customer', ...operator], 'orders', 'Cancel an order (releases stock, refunds a late payment)', { body: orders.cancelBody }),
  e('patch', v1('/orders/:number/status'), admin, 'orders', 'Fulfilment status (shipped, delivered) or cancel', { body: orders.statusBody }),
  e('post', v1('/orders/:number/retry'), operator, 'orders', 'Run the failed step of the order again (the retry signal); 409 not_failed when no step is waiting for a retry', { ok: [202] }),

  e('get', v1('/cart'), user, 'shop', "The signed-in customer's cart (the same from every device), priced from the catalog as of now", { response: cartResponse }),
  e('post', v1('/cart/items'), user, 'shop', 'Add a product to the cart (quantities add up; 1–99 per line); the first add creates the cart', { body: cart.addItemBody, response: cartResponse }),
  e('put', v1('/cart/items/:sku'), user, 'shop', 'Set the quantity of a cart line (1–99)', { body: cart.setQuantityBody, response: cartResponse }),
  e('post', v1('/cart/checkout'), user, 'shop', 'Place an order from the cart (with an optional coupon); the ordered lines leave the cart once it is accepted', { body: orders.cartCheckoutBody, ok: [202, 200], response: checkoutResponse }),
  e('delete', v1('/cart/items/:sku'), user, 'shop', 'Remove a line from the cart (idempotent)', { response: cartResponse }),
  e('delete', v1('/cart'), user, 'shop', 'Empty the cart', { response: cartResponse }),
  e('post', v1('/coupons'), admin, 'shop', 'Create a coupon (percent or fixed amount, validity window, minimum order, limits in total and per customer)', { body: coupons.createBody, ok: [201], response: couponResponse }),
  e('get', v1('/coupons'), admin, 'shop', 'Coupons with their use so far', { query: coupons.listQuery, response: listOf(couponResponse, 'next_after') }),
  e('get', v1('/coupons/:code'), admin, 'shop', 'One coupon with its use so far', { response: couponResponse }),
  e('patch', v1('/coupons/:code'), admin, 'shop', 'Update a coupon', { body: coupons.updateBody, response: couponResponse }),
  e('delete', v1('/coupons/:code'), admin, 'shop', 'Deactivate a coupon (orders that used it keep it)', { response: couponResponse }),

  e('get', v1('/payments'), viewer, 'payments', 'The payment projection', { query: payments.listQuery, response: listOf(paymentResponse, 'nextCursor') }),
  e('get', v1('/reconciliation/reports'), viewer, 'payments', 'Daily reconciliation reports (MercadoPago search vs. stored payments): runs, seen, missing, stale, fixed, per currency', { query: reconciliation.reportsQuery }),
  e('get', v1('/reconciliation/reports/:date'), viewer, 'payments', "One day's reconciliation report (YYYY-MM-DD in SCHEDULE_TIMEZONE) with its runs (runs: 0 on a day without any)"),
  e('post', v1('/reconciliation/run'), operator, 'payments', 'Run reconciliation now (triggers the payments-reconciliation Schedule)', { ok: [202] }),
  e('get', v1('/webhook-events'), viewer, 'webhooks', 'Webhook deliveries and their processing', { query: webhookEvents.listQuery }),
  e('get', v1('/webhook-events/:id'), viewer, 'webhooks', 'One delivery with its live workflow state'),
  e('post', v1('/webhook-events/:id/retry'), operator, 'webhooks', 'Retry the failed step of one delivery; 409 not_failed when it is not failed', { ok: [202] }),
  e('post', v1('/webhook-events/retry'), operator, 'webhooks', 'Retry every delivery waiting for a manual retry', { body: webhookEvents.bulkRetryBody, ok: [202] }),

  e('post', v1('/affiliates'), admin, 'affiliates', 'Register an affiliate', { body: affiliates.affiliateBody, ok: [201] }),
  e('get', v1('/affiliates'), viewer, 'affiliates', 'Affiliates', { query: affiliates.affiliatesQuery }),
  e('get', v1('/affiliates/:id'), viewer, 'affiliates', 'One affiliate (bank data masked)'),
  e('patch', v1('/affiliates/:id'), admin, 'affiliates', 'Update an affiliate', { body: affiliates.affiliateUpdate }),
  e('delete', v1('/affiliates/:id'), admin, 'affiliates', 'Deactivate an affiliate'),
  e('post', v1('/campaigns'), admin, 'affiliates', 'Create a campaign', { body: affiliates.campaignBody, ok: [201] }),
  e('get', v1('/campaigns'), viewer, 'affiliates', 'Campaigns'),
  e('get', v1('/campaigns/:id'), viewer, 'affiliates', 'One campaign'),
  e('patch', v1('/campaigns/:id'), admin, 'affiliates', 'Update a campaign', { body: affiliates.campaignUpdateBody }),
  e('post', v1('/campaigns/:id/activate'), admin, 'affiliates', 'Activate a campaign'),

  e('post', v1('/conversions'), admin, 'commissions', 'Record a conversion (starts its commission)', { body: commissions.conversionBody, ok: [200, 201] }),
  e('get', v1('/conversions'), viewer, 'commissions', 'Conversions', { query: commissions.conversionsQuery }),
  e('get', v1('/conversions/metrics'), viewer, 'commissions', 'Conversion metrics by channel', { query: commissions.conversionMetricsQuery }),
  e('post', v1('/conversions/:id/refund'), admin, 'commissions', 'Refund a conversion (voids or claws back its commission)', { body: commissions.refundBody, ok: [202] }),
  e('get', v1('/commissions'), viewer, 'commissions', 'Commissions', { query: commissions.commissionsQuery }),
  e('get', v1('/commissions/reports'), viewer, 'commissions', 'Commission report (JSON or CSV)', { query: commissions.reportQuery }),
  e('get', v1('/commissions/:id'), viewer, 'commissions', 'One commission with its live state'),
  e('post', v1('/commissions/:id/approve'), admin, 'commissions', 'Approve a commission above the threshold', { body: commissions.decisionBody }),
  e('post', v1('/commissions/:id/reject'), admin, 'commissions', 'Reject a commission above the threshold', { body: commissions.decisionBody }),
  e('post', v1('/payouts/run'), admin, 'commissions', 'Run the payout batch now', { body: commissions.payoutRunBody }),
  e('get', v1('/payouts'), viewer, 'commissions', 'Payouts', { query: commissions.payoutsQuery }),
  e('get', v1('/payouts/batches/:file'), viewer, 'commissions', 'A payout batch CSV'),
  e('post', v1('/payouts/:id/confirm'), admin, 'commissions', 'Confirm a payout was paid', { body: commissions.confirmBody }),
  e('get', v1('/events'), viewer, 'commissions', 'Business event log', { query: commissions.eventsQuery }),

  e('get', v1('/incidents'), viewer, 'incidents', 'Incidents', { query: incidents.listQuery }),
  e('get', v1('/incidents/:dedupKey'), viewer, 'incidents', 'One incident: live state and history'),
  e('post', v1('/incidents/:dedupKey/acknowledge'), operator, 'incidents', 'Acknowledge (stops escalation)', { body: incidents.actionBody }),
  e('post', v1('/incidents/:dedupKey/resolve'), operator, 'incidents', 'Resolve', { body: incidents.actionBody }),
  e('get', v1('/maintenance-windows'), viewer, 'incidents', 'Maintenance windows'),
  e('post', v1('/maintenance-windows'), operator, 'incidents', 'Create a maintenance window (suppresses new incidents)', { body: incidents.windowBody, ok: [201] }),
  e('delete', v1('/maintenance-windows/:id'), operator, 'incidents', 'Delete a maintenance window', { ok: [204] }),

  e('get', v1('/ops/metrics'), viewer, 'dashboard', 'The latest metrics snapshot'),
  e('post', v1('/ops/metrics/check'), operator, 'dashboard', 'Run the metrics workflow now'),
  e('get', v1('/dashboard/overview'), viewer, 'dashboard', 'Financials, performance, system health, security, trends and metadata (seed 000)'),
  e('get', v1('/dashboard/metrics/realtime'), viewer, 'dashboard', 'Realtime figures from the time buckets'),
  e('get', v1('/dashboard/alerts'), viewer, 'dashboard', 'Open incidents, recent alerts and maintenance windows'),
  e('post', v1('/dashboard/alerts/check'), operator, 'dashboard', 'Run the metrics workflow and its alert rules now'),

  e('post', v1('/api-keys'), admin, 'access', 'Create an API key (shown once)', { body: access.createApiKeyBody, ok: [201] }),
  e('get', v1('/api-keys'), admin, 'access', 'API keys (never their secrets)'),
  e('delete', v1('/api-keys/:id'), admin, 'access', 'Revoke an API key'),
  e('get', v1('/audit'), admin, 'access', 'The access audit log', { query: access.auditQuery }),
];

const openApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');
/** Every error: a code and a message, plus the details that apply (other details may follow). */
const errorSchema = z
  .object({
    error: z.looseObject({
      code: z.string().describe('machine-readable: invalid_request, not_found, rate_limited, …'),
      message: z.string(),
      field: z.string().optional().describe('the field, header or parameter at fault'),
      in: z.enum(['body', 'query', 'params', 'header']).optional(),
      issues: z.array(z.looseObject({ field: z.string(), message: z.string() })).optional().describe('every invalid field (400)'),
      role: z.string().optional(),
      reason: z.string().optional(),
      retryAfterSeconds: z.number().int().optional().describe('also sent as Retry-After (429, 503)'),
      allow: z.array(z.string()).optional().describe('the methods the path answers (405)'),
    }),
  })
  .meta({ id: 'Error' });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: a workflow acts on it', 204: 'No content' };

/** The OpenAPI 3.1 document served at /openapi.json and browsed at /docs. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const ep of ENDPOINTS) {
    const params = [...ep.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const secured = Array.isArray(ep.access);
    (paths[openApiPath(ep.path)] ??= {})[ep.method] = {
      tags: [ep.tag],
      summary: ep.summary,
      ...(secured ? { security: [{ bearer: [] }], 'x-roles': ep.access } : { security: [] }),
      requestParams: {
        ...(params.length ? { path: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
        ...(ep.query ? { query: ep.query } : {}),
      },
      ...(ep.body ? { requestBody: { required: !ep.body.safeParse({}).success, content: { 'application/json': { schema: ep.body } } } } : {}),
      responses: {
        ...Object.fromEntries((ep.ok ?? [200]).map((s, i) => [String(s), { description: SUCCESS[s], ...(ep.response && i === 0 ? { content: { 'application/json': { schema: ep.response } } } : {}) }])),
        '400': errorResponse('Invalid input: the error names the field'),
        ...(secured ? { '401': errorResponse('No or invalid credentials'), '403': errorResponse(`Needs role ${(ep.access as Role[]).join(' or ')}`) } : {}),
        ...(ep.access === 'signature' ? { '401': errorResponse('Signature missing, malformed, wrong or outside the replay window') } : {}),
        ...(ep.access === 'public' && ep.path.startsWith('/auth/') ? { '401': errorResponse('Wrong email, password or token') } : {}),
        ...(params.length ? { '404': errorResponse('No such resource (or not yours)') } : {}),
        '409': errorResponse('Conflicts with the current state (the error says which)'),
        ...(ep.body || ep.method !== 'get' ? { '413': errorResponse('Body too large'), '415': errorResponse('Body is not application/json'), '422': errorResponse('Well-formed but not acceptable: the error names the field') } : { '422': errorResponse('Well-formed but not acceptable: the error names the field') }),
        '429': errorResponse('Rate limited (Retry-After)'),
        '503': errorResponse('A dependency is unavailable; nothing was done (Retry-After)'),
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'pagos-flow API',
      version,
      description: 'Payments, orders, commissions and operations on Temporal. Send `Authorization: Bearer <API key or access token>`. Roles: viewer reads, operator also acts on incidents and retries, admin does everything.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (pfk_…) or a user access token (JWT)' } } },
    paths: paths as never,
  });
}
