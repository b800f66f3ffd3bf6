import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { WEBHOOK_STATUSES, WebhookEvent } from '../../domain/persistence/models/webhook-event';
import { executionUrl } from '../../common/temporal';
import { notificationStateQuery, retrySignal } from '../../contracts/webhooks';
import { requireStaff } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { page, pageFilter, pageQuery, pageSort } from '../pagination';
import { apiRouter } from '../request-guards';

export const listQuery = z.object({
  status: z.enum(WEBHOOK_STATUSES).optional(),
  type: z.string().min(1).max(64).optional(),
  ...pageQuery,
});

export const bulkRetryBody = z.object({
  type: z.string().min(1).max(64).optional(),
  since: pageQuery.since,
  limit: z.number().int().min(1).max(500).default(100),
});

function present(doc: any, config: Config) {
  const { _id, ...rest } = doc;
  return {
    ...rest,
    id: rest.eventId,
    execution: rest.workflowId ? { workflowId: rest.workflowId, runId: rest.runId, url: executionUrl(config, rest.workflowId, rest.runId) } : null,
  };
}

/** The webhook event log, and manual retry of failed events (single and bulk). */
export function webhookEventsRouter(deps: { config: Config; temporal: Client }) {
  const router = apiRouter();

  router.get('/webhook-events', requireStaff('viewer'), async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { status, type, since, limit } = q.data;
    const filter = {
      ...pageFilter('receivedAt', q.data.cursor),
      ...(status ? { status } : {}),
      ...(type ? { type } : {}),
      ...(since ? { receivedAt: { $gte: since } } : {}),
    };
    const docs = await WebhookEvent.find(filter, { attemptLog: 0 }).sort(pageSort('receivedAt')).limit(limit + 1).lean();
    const { items, nextCursor } = page(docs, limit, 'receivedAt');
    res.json({ items: items.map((d) => present(d, deps.config)), nextCursor });
  });

  router.get('/webhook-events/:id', requireStaff('viewer'), async (req, res) => {
    const doc = await WebhookEvent.findById(req.params.id).lean();
    if (!doc) throw new HttpError(404, 'not_found', `webhook event ${req.params.id} not found`, { field: 'id' });
    let live: unknown = null;
    if (doc.workflowId && (doc.status === 'processing' || doc.status === 'failed')) {
      // The workflow's own view (steps done, failed step) while it is still running.
      live = await deps.temporal.workflow.getHandle(doc.workflowId).query(notificationStateQuery).catch(() => null);
    }
    res.json({ ...present(doc, deps.config), live });
  });

  router.post('/webhook-events/:id/retry', requireStaff('operator'), async (req, res) => {
    const doc = await WebhookEvent.findById(req.params.id, { status: 1, workflowId: 1 }).lean();
    if (!doc) throw new HttpError(404, 'not_found', `webhook event ${req.params.id} not found`, { field: 'id' });
    if (doc.status !== 'failed' || !doc.workflowId) {
      throw new HttpError(409, 'not_failed', `webhook event ${req.params.id} is ${doc.status}; only failed events can be retried`, { status: doc.status });
    }
    try {
      await deps.temporal.workflow.getHandle(doc.workflowId).signal(retrySignal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_running', `the execution of ${req.params.id} is no longer running`);
      throw err;
    }
    res.status(202).json({ id: req.params.id, retried: true, workflowId: doc.workflowId });
  });

  /** Bulk retry: every failed event matching the filter gets a retry signal. */
  router.post('/webhook-events/retry', requireStaff('operator'), async (req, res) => {
    const body = bulkRetryBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    const { type, since, limit } = body.data;
    const failed = await WebhookEvent.find(
      { status: 'failed', ...(type ? { type } : {}), ...(since ? { receivedAt: { $gte: since } } : {}) },
      { eventId: 1, workflowId: 1 },
    )
      .sort({ _id: 1 })
      .limit(limit)
      .lean();
    const results = await Promise.allSettled(failed.map((e) => deps.temporal.workflow.getHandle(e.workflowId!).signal(retrySignal)));
    const retried = failed.filter((_, i) => results[i].status === 'fulfilled').map((e) => e.eventId);
    const errors = failed
      .map((e, i) => ({ id: e.eventId, result: results[i] }))
      .filter((x) => x.result.status === 'rejected')
      .map((x) => ({ id: x.id, error: ((x.result as PromiseRejectedResult).reason as Error).message }));
    res.status(202).json({ matched: failed.length, retried, errors });
  });

  return router;
}
