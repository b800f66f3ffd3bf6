import type { RequestHandler } from 'express';
import type { ProviderName, SandboxState } from './state';

/**
 * Logs every provider call and applies injected faults before the real handler runs: an error
 * status, a 429 with Retry-After, or a hang (the connection is held open until the client gives up).
 */
export function recordAndInjectFaults(state: SandboxState, provider: ProviderName, errorBody: (status: number, message: string) => unknown): RequestHandler {
  return (req, res, next) => {
    const record = { provider, method: req.method, path: req.path, status: 0, at: new Date().toISOString(), body: req.body, idempotencyKey: req.headers['x-idempotency-key'] as string | undefined };
    state.calls.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    const fault = state.takeFault(provider, req.method, req.path);
    if (!fault) return next();
    if (fault.kind === 'hang') return; // never answers; the client's timeout ends it
    if (fault.kind === 'delay') {
      setTimeout(next, fault.delayMs ?? 1000); // slow, then the real answer
      return;
    }
    if (fault.kind === 'rate-limit') {
      res.setHeader('Retry-After', String(fault.retryAfterSeconds ?? 1));
      res.status(429).json(errorBody(429, 'Too Many Requests'));
      return;
    }
    const status = fault.status ?? 500;
    if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
    res.status(status).json(errorBody(status, 'injected fault'));
  };
}
