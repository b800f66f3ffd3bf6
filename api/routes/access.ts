import { z } from 'zod';
import { AccessAudit, API_KEY_ROLES, ApiKey } from '../../domain/persistence/models/api-key';
import { createApiKey, presentApiKey, revokeApiKey } from '../auth/api-keys';
import { actorName, principalOf, requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';

export const createApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(API_KEY_ROLES),
});
export const auditQuery = z.object({
  actor: z.string().max(200).optional().describe('key id, user id or email'),
  result: z.enum(['allowed', 'unauthenticated', 'forbidden', 'rate_limited', 'client_error', 'server_error']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** API keys (create, list, revoke) and the access audit log: admins only. */
export function accessRouter() {
  const router = apiRouter();
  const admin = requireRole('admin');

  router.post('/api-keys', admin, async (req, res) => {
    const body = createApiKeyBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const created = await createApiKey({ ...body.data, createdBy: actorName(principalOf(res)) });
    res.status(201).json({ ...created, note: 'the key is shown once; store it now' });
  });

  router.get('/api-keys', admin, async (_req, res) => {
    const docs = await ApiKey.find({}).sort({ createdAt: -1 }).lean();
    res.json({ items: docs.map(presentApiKey) });
  });

  router.delete('/api-keys/:id', admin, async (req, res) => {
    const id = req.params.id as string;
    const r = await revokeApiKey(id, actorName(principalOf(res)));
    if (!r.revoked && r.reason === 'not_found') throw new HttpError(404, 'not_found', `no API key ${id}`, { field: 'id' });
    if (!r.revoked) throw new HttpError(409, 'already_revoked', `API key ${id} was revoked at ${r.revokedAt?.toISOString()}`, { field: 'id' });
    res.json({ id, status: 'revoked', revoked_at: r.revokedAt });
  });

  router.get('/audit', admin, async (req, res) => {
    const q = auditQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { actor, result, since, limit } = q.data;
    const filter = {
      ...(actor ? { $or: [{ 'actor.id': actor }, { 'actor.name': actor }] } : {}),
      ...(result ? { result } : {}),
      ...(since ? { at: { $gte: new Date(since) } } : {}),
    };
    const docs = await AccessAudit.find(filter).sort({ at: -1 }).limit(limit).lean();
    res.json({
      items: docs.map((d) => ({ id: d._id, at: d.at, actor: d.actor, method: d.method, path: d.path, route: d.route ?? null, status: d.status, result: d.result, ip: d.ip ?? null, duration_ms: d.durationMs ?? null })),
    });
  });

  return router;
}
