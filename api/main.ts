import { once } from 'node:events';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { ensureIndexes } from '../domain/persistence/models';
import { connectMongo, disconnectMongo } from '../domain/persistence/connection';
import { createTemporalClient } from '../common/temporal';
import { productVersion } from '../common/version';
import { createApp } from './app';
import type { CatalogSearch } from '../domain/catalog/search-index';
import { workflowStartCounter } from './metrics';
import { ensureAdmin } from './auth/users';

export const API_READY_LINE = 'pagos-flow api listening';

async function main() {
  const config = loadConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const temporal = createTemporalClient(config, { interceptors: { workflow: [workflowStartCounter] } });
  // Start even if MongoDB is not up yet: /health reports it and mongoose keeps reconnecting.
  const app = createApp({ config, temporal, log, version: productVersion() });
  const connected = connectMongo(config, { waitMs: 30000 });
  // The search index loads in the background once MongoDB answers (a failure is retried by the first search).
  connected.then(() => (app.locals.catalogSearch as CatalogSearch).ready()).catch((err) => log.warn({ err }, 'search index not loaded at start-up'));
  connected
    .then(ensureIndexes)
    .then(async () => {
      if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) log.info({ email: config.ADMIN_EMAIL, admin: await ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD) }, 'admin account');
    })
    .catch((err) => log.error({ err }, 'mongodb connection failed'));
  const server = app.listen(config.API_PORT, config.API_HOST);
  server.on('error', (err: NodeJS.ErrnoException) => {
    log.fatal({ err }, err.code === 'EADDRINUSE' ? `port ${config.API_PORT} is taken` : 'cannot listen');
    process.exit(1);
  });
  await once(server, 'listening');
  log.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, API_READY_LINE);

  const stop = async () => {
    log.info('api stopping');
    server.close();
    await Promise.allSettled([temporal.connection.close(), disconnectMongo()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
