/**
 * (b) A real Temporal dev server and a real FerretDB for integration tests, on free ports and in
 * temp folders. test/run.ts starts one pair per test run and passes it down by environment; a test
 * file run on its own (node --import tsx --test FILE) starts its own pair.
 * Each test gets its own database name and task queue, so files can share the servers safely.
 */
import './quiet-sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ferretDbUri, freePort, startFerretDB, startTemporalDevServer, type ManagedProcess } from '../../infra/processes';

export const ENV_TEMPORAL = 'PAGOSFLOW_TEST_TEMPORAL_ADDRESS';
export const ENV_MONGO = 'PAGOSFLOW_TEST_MONGO_ADDRESS';

export interface IntegrationServers {
  temporalAddress: string;
  /** host:port of FerretDB */
  mongoAddress: string;
  /** A fresh database URI, one per caller. */
  mongoUri(prefix?: string): string;
  stop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function startServers(): Promise<IntegrationServers & { dir: string; procs: ManagedProcess[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pagosflow-test-'));
  const [temporalPort, mongoPort] = [await freePort(), await freePort()];
  const [temporal, ferret] = await Promise.all([
    startTemporalDevServer({ port: temporalPort, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') }),
    startFerretDB({ port: mongoPort, dataDir: path.join(dir, 'ferretdb'), logFile: path.join(dir, 'ferretdb.log') }),
  ]);
  const servers = fromAddresses(`127.0.0.1:${temporalPort}`, `127.0.0.1:${mongoPort}`);
  return {
    ...servers,
    dir,
    procs: [temporal, ferret],
    async stop() {
      await Promise.all([temporal.stop(), ferret.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function fromAddresses(temporalAddress: string, mongoAddress: string): IntegrationServers {
  return {
    temporalAddress,
    mongoAddress,
    mongoUri: (prefix = 'test') => ferretDbUri(`mongodb://${mongoAddress}/${uniqueName(prefix).replace(/-/g, '_')}`),
    async stop() {},
  };
}

/** The run's shared servers, or a pair of this file's own when run alone. */
export async function integrationServers(): Promise<IntegrationServers> {
  const t = process.env[ENV_TEMPORAL];
  const m = process.env[ENV_MONGO];
  if (t && m) return fromAddresses(t, m);
  return startServers();
}
