import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { errorHandler, notFound } from './errors';
import { healthRouter } from './routes/health';

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
  app.use(express.json({ limit: '256kb' }));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
