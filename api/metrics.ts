/** The API's Prometheus instrumentation: request latency by route pattern, and workflow starts. */
import type { Request, RequestHandler } from 'express';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { httpRequestDuration, workflowStarts } from '../common/prometheus';

/**
 * Observes every request when it finishes. The route label is the matched pattern
 * (`/api/v1/orders/:number`), never the URL, so ids do not explode the series; unmatched
 * requests are `unmatched`.
 */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  res.on('finish', () => end({ method: req.method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) }));
  next();
};

/**
 * The matched route's pattern with its mount point, once the response is done (Express has reset
 * req.baseUrl by then; every router is mounted at /api/v1 or at the root).
 */
export function routePattern(req: Request): string | undefined {
  const pattern = req.route?.path;
  if (typeof pattern !== 'string') return undefined;
  return req.originalUrl.startsWith('/api/v1/') && !pattern.startsWith('/api/v1') ? `/api/v1${pattern}` : pattern;
}

/** Counts workflows the API starts, however it starts them (start, signal-with-start, update-with-start). */
export const workflowStartCounter: WorkflowClientInterceptor = {
  async startWithDetails(input, next) {
    const out = await next(input);
    workflowStarts.inc({ workflow: input.workflowType });
    return out;
  },
  async signalWithStart(input, next) {
    const out = await next(input);
    workflowStarts.inc({ workflow: input.workflowType });
    return out;
  },
  async startUpdateWithStart(input, next) {
    const out = await next(input);
    workflowStarts.inc({ workflow: input.workflowType });
    return out;
  },
};
