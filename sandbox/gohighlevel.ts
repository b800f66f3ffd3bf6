/**
 * GoHighLevel API v2 contract (../shared/providers.md): contacts upsert and tags, opportunities,
 * OAuth token refresh with rotating refresh tokens, the Version header, and the per-location
 * burst limit of 100 requests / 10 s with X-RateLimit-* headers and 429 beyond it.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { recordAndInjectFaults } from './faults';
import type { SandboxState } from './state';

export const GHL_BURST_LIMIT = 100;
export const GHL_BURST_WINDOW_MS = 10_000;
export const GHL_DAILY_LIMIT = 200_000;

const ghlError = (status: number, message: string | string[]) => ({
  statusCode: status,
  message,
  ...(status === 401 ? { error: 'Unauthorized' } : status === 422 ? { error: 'Unprocessable Entity' } : {}),
});
const send = (res: Response, status: number, message: string | string[]) => res.status(status).json(ghlError(status, message));

export function goHighLevelRouter(state: SandboxState, opts: { accessToken: string; locationId: string; now?: () => number }) {
  const router = Router();
  const now = opts.now ?? Date.now;
  let windowStart = 0;
  let windowCount = 0;
  let dailyCount = 0;
  // OAuth: one valid refresh token at a time (rotating, single use).
  let refreshToken = 'sandbox-refresh-token';
  const accessTokens = new Set([opts.accessToken]);

  router.use(express.json({ limit: '1mb' }));
  router.use(express.urlencoded({ extended: false }));

  router.post('/oauth/token', (req, res) => {
    const b = req.body ?? {};
    if (!b.client_id || !b.client_secret || !['refresh_token', 'authorization_code'].includes(b.grant_type)) {
      send(res, 422, ['client_id, client_secret and grant_type are required']);
      return;
    }
    if (b.grant_type === 'refresh_token' && b.refresh_token !== refreshToken) {
      send(res, 401, 'Invalid refresh token');
      return;
    }
    const access = `ghl-access-${randomUUID()}`;
    accessTokens.add(access);
    refreshToken = `ghl-refresh-${randomUUID()}`;
    res.json({ access_token: access, token_type: 'Bearer', expires_in: 86399, refresh_token: refreshToken, scope: 'contacts.write opportunities.write', userType: b.user_type ?? 'Location', locationId: opts.locationId, companyId: 'sandbox-company', userId: 'sandbox-user' });
  });

  router.use(recordAndInjectFaults(state, 'gohighlevel', (s, m) => ghlError(s, m)));

  router.use((req, res, next) => {
    const t = now();
    if (t - windowStart >= GHL_BURST_WINDOW_MS) {
      windowStart = t;
      windowCount = 0;
    }
    windowCount++;
    dailyCount++;
    res.setHeader('X-RateLimit-Max', String(GHL_BURST_LIMIT));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, GHL_BURST_LIMIT - windowCount)));
    res.setHeader('X-RateLimit-Interval-Milliseconds', String(GHL_BURST_WINDOW_MS));
    res.setHeader('X-RateLimit-Limit-Daily', String(GHL_DAILY_LIMIT));
    res.setHeader('X-RateLimit-Daily-Remaining', String(Math.max(0, GHL_DAILY_LIMIT - dailyCount)));
    if (windowCount > GHL_BURST_LIMIT || dailyCount > GHL_DAILY_LIMIT) {
      res.setHeader('Retry-After', String(Math.ceil((windowStart + GHL_BURST_WINDOW_MS - t) / 1000)));
      send(res, 429, 'Too Many Requests');
      return;
    }
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ') || !accessTokens.has(auth.slice(7))) {
      send(res, 401, 'Invalid JWT');
      return;
    }
    if (!req.headers.version) {
      send(res, 400, 'Version header is required');
      return;
    }
    next();
  });

  router.post('/contacts/upsert', (req, res) => {
    const b = req.body ?? {};
    const problems = [];
    if (!b.locationId) problems.push('locationId should not be empty');
    if (!b.email && !b.phone) problems.push('email or phone must be provided');
    if (problems.length) {
      send(res, 422, problems);
      return;
    }
    if (b.locationId !== opts.locationId) {
      send(res, 403, 'The token does not have access to this location.');
      return;
    }
    const email = b.email ? String(b.email).toLowerCase() : undefined;
    const existing = [...state.contacts.values()].find((c) => (email && c.email === email) || (b.phone && c.phone === b.phone));
    if (existing) {
      Object.assign(existing, { firstName: b.firstName ?? existing.firstName, lastName: b.lastName ?? existing.lastName, dateUpdated: new Date().toISOString() });
      if (Array.isArray(b.tags)) existing.tags = [...new Set([...existing.tags, ...b.tags])];
      res.json({ new: false, contact: existing, traceId: randomUUID() });
      return;
    }
    const contact = {
      id: randomUUID().replace(/-/g, '').slice(0, 20),
      locationId: b.locationId,
      email,
      phone: b.phone,
      firstName: b.firstName,
      lastName: b.lastName,
      name: b.name ?? [b.firstName, b.lastName].filter(Boolean).join(' '),
      tags: Array.isArray(b.tags) ? [...new Set(b.tags)] : [],
      source: b.source,
      dateAdded: new Date().toISOString(),
    };
    state.contacts.set(contact.id, contact);
    res.json({ new: true, contact, traceId: randomUUID() });
  });

  router.get('/locations/:locationId', (req, res) => {
    if (req.params.locationId !== opts.locationId) {
      send(res, 403, 'The token does not have access to this location.');
      return;
    }
    res.json({ location: { id: opts.locationId, name: 'Sandbox location', timezone: 'America/Argentina/Buenos_Aires' } });
  });

  router.get('/contacts/search/duplicate', (req, res) => {
    const email = String(req.query.email ?? '').toLowerCase();
    const contact = [...state.contacts.values()].find((c) => c.email === email) ?? null;
    res.json({ contact });
  });

  router.post('/contacts/:id/tags', (req, res) => {
    const c = state.contacts.get(req.params.id);
    if (!c) {
      send(res, 400, 'Contact not found');
      return;
    }
    if (!Array.isArray(req.body?.tags) || req.body.tags.length === 0) {
      send(res, 422, ['tags must be a non-empty array']);
      return;
    }
    c.tags = [...new Set([...c.tags, ...req.body.tags])];
    res.status(201).json({ tags: c.tags });
  });

  router.delete('/contacts/:id/tags', (req, res) => {
    const c = state.contacts.get(req.params.id);
    if (!c) {
      send(res, 400, 'Contact not found');
      return;
    }
    const remove = new Set(req.body?.tags ?? []);
    c.tags = c.tags.filter((t: string) => !remove.has(t));
    res.json({ tags: c.tags });
  });

  const createOpportunity = (b: any, res: Response, upsert: boolean) => {
    const problems = [];
    for (const f of ['pipelineId', 'locationId', 'name', 'contactId']) if (!b[f]) problems.push(`${f} should not be empty`);
    if (b.status && !['open', 'won', 'lost', 'abandoned'].includes(b.status)) problems.push('status must be one of open, won, lost, abandoned');
    if (problems.length) {
      send(res, 422, problems);
      return;
    }
    const existing = upsert ? [...state.opportunities.values()].find((o) => o.contactId === b.contactId && o.pipelineId === b.pipelineId && o.name === b.name) : undefined;
    if (existing) {
      Object.assign(existing, b, { updatedAt: new Date().toISOString() });
      res.json({ opportunity: existing, new: false });
      return;
    }
    const opportunity = { id: randomUUID().replace(/-/g, '').slice(0, 20), status: 'open', ...b, createdAt: new Date().toISOString() };
    state.opportunities.set(opportunity.id, opportunity);
    res.status(upsert ? 200 : 201).json(upsert ? { opportunity, new: true } : { opportunity });
  };
  router.post('/opportunities/', (req, res) => createOpportunity(req.body ?? {}, res, false));
  router.post('/opportunities/upsert', (req, res) => createOpportunity(req.body ?? {}, res, true));

  router.use((req, res) => send(res, 404, `Cannot ${req.method} ${req.path}`));
  return router;
}
