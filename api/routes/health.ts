import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { mongoPing, timeProbe, type ProbeResult } from '../../activities/probes/dependencies';
import { worstStatus } from '../../common/health-status';

const PROBE_TIMEOUT_MS = 3000;
const startedAt = Date.now();

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

export async function probeTemporal(client: Client): Promise<ProbeResult> {
  return timeProbe('temporal', () => withTimeout(client.connection.workflowService.getSystemInfo({}), PROBE_TIMEOUT_MS));
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
