/**
 * (c) The product's own processes (sandbox, workers, API) spawned as in production, against the
 * test servers, on free ports, and helpers to drive them over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startNodeEntry, waitForHttp, type ManagedProcess } from '../../infra/processes';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import mongoose from 'mongoose';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';
import { integrationServers, type IntegrationServers } from './servers';

export interface RunningStack {
  apiUrl: string;
  /** The stack's own Temporal namespace (see registerTestNamespace). */
  namespace: string;
  sandboxUrl: string;
  env: Record<string, string>;
  procs: ManagedProcess[];
  logDir: string;
  stop(): Promise<void>;
}

function node(name: string, entry: string, env: NodeJS.ProcessEnv, logDir: string) {
  return startNodeEntry(name, entry, { logFile: path.join(logDir, `${name}.log`), env });
}

/**
 * The environment every test stack gives its API, worker and sandbox processes: the servers, the
 * sandbox standing in for every provider, and limits lifted for test traffic.
 */
export function appEnv(o: { namespace: string; temporalAddress: string; mongoUri: string; sandboxPort: number; smtpPort: number; publicApiUrl: string; backupDir: string }): Record<string, string> {
  const sandboxUrl = `http://127.0.0.1:${o.sandboxPort}`;
  return {
    TEMPORAL_NAMESPACE: o.namespace,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: o.temporalAddress,
    MONGODB_URI: o.mongoUri,
    SANDBOX_PORT: String(o.sandboxPort),
    SANDBOX_SMTP_PORT: String(o.smtpPort),
    SMTP_URL: `smtp://127.0.0.1:${o.smtpPort}`,
    PUBLIC_API_URL: o.publicApiUrl,
    // Tests drive more traffic from one IP than seed 003's limits allow; the rate-limit test sets its own.
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    RATE_LIMIT_GENERAL_PER_HOUR: '1000000',
    RATE_LIMIT_SEARCH_PER_MINUTE: '1000000',
    RATE_LIMIT_ADMIN_PER_HOUR: '1000000',
    MERCADOPAGO_BASE_URL: `${sandboxUrl}/mercadopago`,
    GHL_BASE_URL: `${sandboxUrl}/gohighlevel`,
    SLACK_WEBHOOK_URL: `${sandboxUrl}/slack/incoming-webhook`,
    // The sandbox's Twilio, with the sandbox account (the config's defaults) on both sides.
    TWILIO_API_URL: `${sandboxUrl}/twilio`,
    // Ops runs (health probes, metrics) would otherwise consume the provider faults tests inject;
    // tests that need them trigger the Schedules themselves.
    SCHEDULES_PAUSED: 'true',
    BACKUP_DIR: o.backupDir,
  };
}

export async function startStack(servers: IntegrationServers, opts: { env?: Record<string, string>; parts?: ('sandbox' | 'worker' | 'api')[] } = {}): Promise<RunningStack> {
  const parts = opts.parts ?? ['sandbox', 'worker', 'api'];
  const logDir = mkdtempSync(path.join(tmpdir(), 'pagosflow-stack-'));
  const [apiPort, sandboxPort, smtpPort, workerMetricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const namespace = opts.env?.TEMPORAL_NAMESPACE ?? (await registerTestNamespace(servers.temporalAddress));
  const env: Record<string, string> = {
    ...appEnv({ namespace, temporalAddress: servers.temporalAddress, mongoUri: servers.mongoUri('stack'), sandboxPort, smtpPort, publicApiUrl: `http://127.0.0.1:${apiPort}`, backupDir: path.join(logDir, 'backups') }),
    API_PORT: String(apiPort),
    WORKER_METRICS_PORT: String(workerMetricsPort),
    ...opts.env,
  };
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const procs: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
  };
  try {
    if (parts.includes('sandbox')) {
      const p = node('sandbox', 'sandbox/main.ts', childEnv, logDir);
      procs.push(p);
      await waitForHttp(`${sandboxUrl}/health`, { proc: p });
    }
    if (parts.includes('worker')) {
      const p = node('worker', 'workers/main.ts', childEnv, logDir);
      procs.push(p);
      await p.waitForLine('pagos-flow worker ready', 120000);
    }
    if (parts.includes('api')) {
      const p = node('api', 'api/main.ts', childEnv, logDir);
      procs.push(p);
      await waitForHttp(`http://127.0.0.1:${apiPort}/health`, { proc: p, okStatuses: [200, 503], timeoutMs: 60000 });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl: `http://127.0.0.1:${apiPort}`, namespace, sandboxUrl, env, procs, logDir, stop };
}

/**
 * A fresh Temporal namespace with every product search attribute. Stacks started by concurrently
 * running test files share one dev server; in one namespace their workers would poll the same task
 * queues and run each other's activities against the wrong database.
 */
export async function registerTestNamespace(temporalAddress: string): Promise<string> {
  const namespace = `pf-${randomUUID().slice(0, 8)}`;
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: 86400 as never } });
    const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, KEYWORD])) });
    // The namespace cache of the frontend refreshes on its own schedule: wait until it answers.
    for (let i = 0; ; i++) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query: `${ALL_SEARCH_ATTRIBUTES[0].name} = "x"` });
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await connection.close();
  }
  return namespace;
}

/** A JSON request; returns status, headers and parsed body. */
export async function http<T = any>(method: string, url: string, opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; timeoutMs?: number } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30000) });
  const text = await res.text();
  let json: T | undefined;
  try {
    json = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: json as T, text };
}

/**
 * An end-to-end test's world: the shared servers, the product's processes on them, a Temporal
 * client (to look executions up as ops would) and a database connection (to check what was stored).
 */
export async function e2eContext(opts: { env?: Record<string, string>; before?: () => Promise<Record<string, string>> } = {}) {
  const servers = await integrationServers();
  const stack = await startStack(servers, { env: { ...opts.env, ...(await opts.before?.()) } });
  const temporal = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }), namespace: stack.namespace });
  const db = await mongoose.createConnection(stack.env.MONGODB_URI).asPromise();
  return {
    servers,
    stack,
    temporal,
    db,
    async stop() {
      await db.close();
      await temporal.connection.close();
      await stack.stop();
      await servers.stop();
    },
  };
}
