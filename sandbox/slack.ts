/**
 * Slack incoming-webhook contract: POST JSON with `text` (and/or `blocks`) → 200 `ok` as
 * text/plain; 400 `invalid_payload` or `no_text` otherwise. Received messages are kept for
 * /__admin/slack. Faults can be injected like for the payment and CRM providers.
 */
import express, { Router } from 'express';
import { recordAndInjectFaults } from './faults';
import type { SandboxState } from './state';

export function slackRouter(state: SandboxState) {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.use(recordAndInjectFaults(state, 'slack', (_status, message) => message));
  router.post('/incoming-webhook', (req, res) => {
    const body = req.body as { text?: unknown; blocks?: unknown } | undefined;
    if (!body || typeof body !== 'object') {
      res.status(400).type('text/plain').send('invalid_payload');
      return;
    }
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) {
      res.status(400).type('text/plain').send('no_text');
      return;
    }
    state.slack.push({ text: typeof body.text === 'string' ? body.text : '', body, at: new Date().toISOString() });
    res.status(200).type('text/plain').send('ok');
  });
  return router;
}
