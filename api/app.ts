import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { errorHandler, notFound } from './errors';
import { authenticate, requireRole } from './auth/principal';
import { createTokenService } from './auth/tokens';
import { authRouter } from './routes/auth';
import { ordersRouter } from './routes/orders';
import { productsRouter } from './routes/products';
import { affiliatesRouter } from './routes/affiliates';
import { commissionsRouter } from './routes/commissions';
import { healthRouter } from './routes/health';
import { paymentsRouter } from './routes/payments';
import { webhookEventsRouter } from './routes/webhook-events';
import { incidentsRouter } from './routes/incidents';
import { opsMetricsRouter } from './routes/ops-metrics';
import { mercadoPagoWebhookRouter } from './webhooks/mercadopago';

export interface AppDeps {
  config: Config;
  temporal: Client;
  log: Logger;
  version: string;
}

/** The HTTP API: validates, authenticates, and turns each request into a Temporal command or a read. */
export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(pinoHttp({ logger: deps.log, autoLogging: { ignore: (req) => req.url === '/health' } }));
  app.use(healthRouter(deps));
  // Before the JSON parser: the webhook route keeps its raw body for the signature.
  app.use(mercadoPagoWebhookRouter(deps));
  app.use(express.json({ limit: '256kb' }));
  const tokens = createTokenService(deps.config);
  app.use(authenticate({ apiKeys: deps.config.API_KEYS, tokens }));
  app.use(authRouter({ config: deps.config, tokens }));
  app.use('/api/v1', productsRouter(), ordersRouter(deps), affiliatesRouter(deps), commissionsRouter(deps));
  // Ops reads and commands: admins (signed in) and API keys.
  app.use('/api/v1', requireRole('admin'), webhookEventsRouter(deps), paymentsRouter(), incidentsRouter(deps), opsMetricsRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
