import express from 'express';

/**
 * The provider sandbox: local HTTP servers that speak MercadoPago's and GoHighLevel's real API
 * contracts (../shared/providers.md), mounted under /mercadopago and /gohighlevel so their base
 * URLs are plain configuration. Filled in by the webhook-pipeline work.
 */
export function createSandboxApp() {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', providers: ['mercadopago', 'gohighlevel'] });
  });
  app.use((req, res) => {
    res.status(404).json({ message: `no sandbox route for ${req.method} ${req.path}`, error: 'not_found', status: 404 });
  });
  return app;
}
