import express from 'express';
import { SANDBOX_TWILIO } from '../common/config';
import { adminRouter } from './admin';
import { goHighLevelRouter } from './gohighlevel';
import { mercadoPagoRouter } from './mercadopago';
import { slackRouter } from './slack';
import { SandboxState } from './state';
import { twilioRouter } from './twilio';

export interface SandboxOptions {
  mercadoPagoAccessToken: string;
  mercadoPagoWebhookSecret: string;
  ghlAccessToken: string;
  ghlLocationId: string;
  /** Twilio credentials the Messages API accepts (the config's sandbox defaults when absent). */
  twilioAccountSid?: string;
  twilioAuthToken?: string;
}

/**
 * The provider sandbox: local HTTP servers that speak MercadoPago's and GoHighLevel's real API
 * contracts (../shared/providers.md), Slack's incoming webhook and Twilio's Messages API, mounted
 * under /mercadopago, /gohighlevel, /slack and /twilio so their base URLs are plain
 * configuration; /__admin drives it.
 */
export function createSandboxApp(opts: SandboxOptions, state = new SandboxState()) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', providers: ['mercadopago', 'gohighlevel', 'slack', 'twilio'] });
  });
  app.use('/mercadopago', mercadoPagoRouter(state, { accessToken: opts.mercadoPagoAccessToken }));
  app.use('/gohighlevel', goHighLevelRouter(state, { accessToken: opts.ghlAccessToken, locationId: opts.ghlLocationId }));
  app.use('/slack', slackRouter(state));
  app.use('/twilio', twilioRouter(state, { accountSid: opts.twilioAccountSid ?? SANDBOX_TWILIO.TWILIO_ACCOUNT_SID, authToken: opts.twilioAuthToken ?? SANDBOX_TWILIO.TWILIO_AUTH_TOKEN }));
  app.use('/__admin', adminRouter(state, { webhookSecret: opts.mercadoPagoWebhookSecret }));
  app.use((req, res) => {
    res.status(404).json({ message: `no sandbox route for ${req.method} ${req.path}`, error: 'not_found', status: 404 });
  });
  return { app, state };
}
