/**
 * The access audit log (seed 000: "protección por API key y auditoría completa"): one row per
 * request to the protected surface, written after the response in small batches so a burst of
 * requests costs a few inserts, not one each. Losing the database loses audit rows, never requests.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AccessAudit, type AccessAuditDoc } from '../domain/persistence/models/api-key';
import type { Logger } from '../common/logger';
import { principalOf } from './auth/principal';
import { routePattern } from './metrics';

const AUDITED = /^\/(api\/v1\/|auth\/|metrics$|health\/deep$)/;
const FLUSH_EVERY_MS = 200;
const MAX_BATCH = 200;

const resultOf = (status: number): AccessAuditDoc['result'] =>
  status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'allowed';

export function accessAudit(log: Logger): RequestHandler {
  let pending: (AccessAuditDoc & { _id: string })[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    await AccessAudit.insertMany(batch, { ordered: false, lean: true }).catch((err) => log.warn({ err, rows: batch.length }, 'access audit rows not stored'));
  };
  return (req, res, next) => {
    if (!AUDITED.test(req.path)) return next();
    const started = performance.now();
    res.on('finish', () => {
      const p = principalOf(res);
      pending.push({
        _id: randomUUID(),
        at: new Date(),
        actor: p ? (p.kind === 'user' ? { kind: 'user', id: p.userId, name: p.email, role: p.role } : { kind: 'api_key', id: p.keyId, name: p.name, role: p.role }) : { kind: 'anonymous' },
        method: req.method,
        path: req.originalUrl.split('?')[0].slice(0, 500),
        route: routePattern(req),
        status: res.statusCode,
        result: resultOf(res.statusCode),
        ip: req.ip,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      } as AccessAuditDoc & { _id: string });
      if (pending.length >= MAX_BATCH) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_EVERY_MS);
    });
    next();
  };
}
