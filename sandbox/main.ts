import { once } from 'node:events';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createSandboxApp } from './app';
import { startSmtpSink } from './smtp-sink';

export const SANDBOX_READY_LINE = 'provider sandbox listening';

async function main() {
  const config = loadConfig();
  const log = createLogger('sandbox', config.LOG_LEVEL);
  const { app, state } = createSandboxApp({
    mercadoPagoAccessToken: config.MERCADOPAGO_ACCESS_TOKEN,
    mercadoPagoWebhookSecret: config.MERCADOPAGO_WEBHOOK_SECRET,
    ghlAccessToken: config.GHL_ACCESS_TOKEN,
    ghlLocationId: config.GHL_LOCATION_ID,
    twilioAccountSid: config.TWILIO_ACCOUNT_SID,
    twilioAuthToken: config.TWILIO_AUTH_TOKEN,
  });
  const server = app.listen(config.SANDBOX_PORT, config.SANDBOX_HOST);
  server.on('error', (err: NodeJS.ErrnoException) => {
    log.fatal({ err }, err.code === 'EADDRINUSE' ? `port ${config.SANDBOX_PORT} is taken` : 'cannot listen');
    process.exit(1);
  });
  await once(server, 'listening');
  const smtp = await startSmtpSink({ port: config.SANDBOX_SMTP_PORT, host: config.SANDBOX_HOST, messages: state.mail }).catch((err) => {
    log.fatal({ err }, `SMTP sink cannot listen on ${config.SANDBOX_SMTP_PORT}`);
    process.exit(1);
  });
  log.info({ port: smtp.port }, 'SMTP sink listening');
  log.info({ url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}` }, SANDBOX_READY_LINE);
  const stop = () => {
    void smtp.close();
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
