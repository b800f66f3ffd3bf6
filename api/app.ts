import path from 'node:path';
import express from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { registry } from '../common/prometheus';
import { errorHandler, notFound } from './errors';
import { accessAudit } from './audit';
import { authenticate, principalOf, requireStaff } from './auth/principal';
import { createTokenService } from './auth/tokens';
import { httpMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { callerKey, requestLimit } from './rate-limit';
import { methodNotAllowed, refuseHostileJson, requireJsonBodies } from './request-guards';
import { accessRouter } from './routes/access';
import { authRouter } from './routes/auth';
import { dashboardRouter } from './routes/dashboard';
import { orderPlacement, ordersRouter } from './routes/orders';
import { cartRouter } from './routes/cart';
import { couponsRouter } from './routes/coupons';
import { productsRouter } from './routes/products';
import { affiliatesRouter } from './routes/affiliates';
import { commissionsRouter } from './routes/commissions';
import { deepHealthRouter, healthRouter } from './routes/health';
import { paymentsRouter } from './routes/payments';
import { webhookEventsRouter } from './routes/webhook-events';
import { incidentsRouter } from './routes/incidents';
import { opsMetricsRouter } from './routes/ops-metrics';
import { reconciliationRouter } from './routes/reconciliation';
import { mercadoPagoWebhookRouter } from './webhooks/mercadopago';
import { apiRouter } from './request-guards';

export interface AppDeps {
  config: Config;
  temporal: Client;
  log: Logger;
  version: string;
}

const HOUR = 3_600_000;
/** GETs of collections: seed 003's "search endpoints" (100 per minute per caller). */
const SEARCH_PATHS = new Set(['/products', '/orders', '/payments', '/webhook-events', '/incidents', '/conversions', '/commissions', '/payouts', '/affiliates', '/campaigns', '/events', '/audit', '/reconciliation/reports']);
/** Front-end assets come from npm packages in node_modules, served by us: no CDN, works offline. */
const packageDir = (entry: string) => path.dirname(require.resolve(entry));

/** The HTTP API: validates, authenticates, and turns each request into a Temporal command or a read. */
export function createApp(deps: AppDeps) {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  // One spelling per path: see apiRouter() in ./request-guards.ts.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (off by default): otherwise
  // anyone could rotate it to reset their per-IP limits.
  app.set('trust proxy', config.TRUST_PROXY);
  // The dashboard and /docs load only our own scripts; plain-HTTP dev must not be upgraded to HTTPS.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Closed unless CORS_ORIGINS lists the browser origins allowed (the dashboard is same-origin).
  app.use(cors({ origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS.map((u) => new URL(u).origin) : false }));
  app.use(httpMetrics);
  app.use(pinoHttp({ logger: deps.log, autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' } }));
  app.use(healthRouter(deps));
  // Before the JSON parser: the webhook route keeps its raw body for the signature.
  app.use(mercadoPagoWebhookRouter(deps));
  app.use(requireJsonBodies, express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }), refuseHostileJson({ maxDepth: config.JSON_MAX_DEPTH, maxKeys: config.JSON_MAX_KEYS }));

  // Public pages and documents.
  const document = openApiDocument(deps.version);
  app.get('/openapi.json', (_req, res) => res.json(document));
  app.use('/docs/assets', express.static(packageDir('swagger-ui-dist'), { index: false, maxAge: '1d' }));
  app.use('/dashboard/assets/chart.js', express.static(packageDir('chart.js'), { index: false, maxAge: '1d' }));
  app.use('/docs', express.static(path.join(__dirname, 'public', 'docs')));
  app.use('/dashboard', express.static(path.join(__dirname, 'public', 'dashboard')));

  // Seed 003 §5.10: general limit per IP before credentials are even looked at (it also slows key guessing).
  app.use(['/api/v1', '/metrics', '/health/deep'], requestLimit({ name: 'the API', limit: config.RATE_LIMIT_GENERAL_PER_HOUR, windowMs: HOUR }));
  app.use(accessAudit(deps.log));
  const tokens = createTokenService(config);
  app.use(authenticate({ apiKeys: config.API_KEYS, tokens }));
  app.use(
    '/api/v1',
    requestLimit({ name: 'admin requests', limit: config.RATE_LIMIT_ADMIN_PER_HOUR, windowMs: HOUR, key: callerKey, skip: (_req, res) => principalOf(res)?.role !== 'admin' }),
    requestLimit({ name: 'searches', limit: config.RATE_LIMIT_SEARCH_PER_MINUTE, windowMs: 60_000, key: callerKey, skip: (req) => (req.method !== 'GET' && req.method !== 'HEAD') || !SEARCH_PATHS.has(req.path) }),
  );

  app.get('/metrics', requireStaff('viewer'), async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use(deepHealthRouter(deps));
  app.use(authRouter({ config, tokens }));
  app.use('/api/v1', productsRouter(), ordersRouter(deps), affiliatesRouter(deps), commissionsRouter(deps));
  app.use('/api/v1', webhookEventsRouter(deps), paymentsRouter(), incidentsRouter(deps), opsMetricsRouter(deps), dashboardRouter(deps), accessRouter(), reconciliationRouter(deps));
  app.use('/api/v1', cartRouter({ ...deps, placeOrder: orderPlacement(deps) }), couponsRouter());
  app.use(methodNotAllowed(app));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
