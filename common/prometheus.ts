/**
 * Prometheus metrics (prom-client). One registry per process: the API serves it on GET /metrics,
 * the worker on WORKER_METRICS_PORT (provider calls happen in activities, so they are the worker's).
 * Label values are bounded (route patterns, not URLs; status codes; provider names).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new Histogram({
  name: 'pagosflow_http_request_duration_seconds',
  help: 'API request latency by route pattern, method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'pagosflow_webhook_deliveries_total',
  help: 'Webhook deliveries received by the API, by provider and outcome (accepted, duplicate, invalid_signature, rejected)',
  labelNames: ['provider', 'outcome'] as const,
  registers: [registry],
});

export const workflowStarts = new Counter({
  name: 'pagosflow_workflow_starts_total',
  help: 'Workflows started (or signalled with start) by the API, by workflow type',
  labelNames: ['workflow'] as const,
  registers: [registry],
});

export const providerCallDuration = new Histogram({
  name: 'pagosflow_provider_call_duration_seconds',
  help: 'Calls to MercadoPago and GoHighLevel by provider, method and status (0 when unreachable)',
  labelNames: ['provider', 'method', 'status'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  registers: [registry],
});

export const probeDuration = new Histogram({
  name: 'pagosflow_dependency_probe_duration_seconds',
  help: 'Latency probes (/health/deep, health monitor) by dependency and status',
  labelNames: ['dependency', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/** A free TCP port on the loopback interface (for the SDK's own exporter, which binds it itself). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The Temporal SDK's own worker metrics (schedule-to-start latency per task queue, task slots,
 * sticky cache, polls...): the SDK core's Prometheus exporter, bound to a loopback port, read on
 * each scrape and served after ours, so one URL has both. Unreachable: ours alone, and
 * `pagosflow_sdk_metrics_up 0` says so.
 */
async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return `# HELP pagosflow_sdk_metrics_up Whether the Temporal SDK's worker metrics could be read\n# TYPE pagosflow_sdk_metrics_up gauge\npagosflow_sdk_metrics_up 1\n${await res.text()}`;
  } catch {
    return '# HELP pagosflow_sdk_metrics_up Whether the Temporal SDK\'s worker metrics could be read\n# TYPE pagosflow_sdk_metrics_up gauge\npagosflow_sdk_metrics_up 0\n';
  }
}

/** The worker's /metrics: a bare HTTP server (the worker has no Express); ours, then the SDK's (sdkMetricsUrl). */
export function serveMetrics(port: number, host: string, opts: { sdkMetricsUrl?: string } = {}): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'only GET /metrics here' } }));
      return;
    }
    const [ours, sdk] = await Promise.all([registry.metrics(), sdkMetrics(opts.sdkMetricsUrl)]);
    res.writeHead(200, { 'content-type': registry.contentType }).end(`${ours.replace(/\n*$/, '\n')}${sdk}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
