import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { mongoPing, temporalPing, timeProbe, withTimeout, type ProbeResult } from '../../activities/probes/dependencies';
import { worstStatus } from '../../common/health-status';

/** /health answers load balancers: shorter than the ops probes' timeout. */
const PROBE_TIMEOUT_MS = 3000;
const startedAt = Date.now();

export async function probeTemporal(client: Client): Promise<ProbeResult> {
  return timeProbe('temporal', () => withTimeout(temporalPing(client), PROBE_TIMEOUT_MS));
}

export async function probeMongoWithTimeout(): Promise<ProbeResult> {
  return timeProbe('mongodb', () => withTimeout(mongoPing(), PROBE_TIMEOUT_MS));
}

/**
 * GET /health: liveness plus the two dependencies every request needs. `error` (503) when Temporal
 * is down, since no command can be accepted durably; `degraded` when MongoDB is down or either is slow.
 */
export function healthRouter(deps: { temporal: Client; version: string }) {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [temporal, mongodb] = await Promise.all([probeTemporal(deps.temporal), probeMongoWithTimeout()]);
    const worst = worstStatus([temporal, mongodb]);
    const status = temporal.status === 'down' ? 'error' : worst === 'ok' ? 'ok' : 'degraded';
    res.status(status === 'error' ? 503 : 200).json({
      status,
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      timestamp: new Date().toISOString(),
      checks: { temporal, mongodb },
    });
  });
  return router;
}
