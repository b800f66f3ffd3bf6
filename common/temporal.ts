import { Client, Connection, type ClientOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

function connectionOptions(config: Config) {
  const tls = config.TEMPORAL_TLS || config.TEMPORAL_API_KEY !== undefined;
  return { address: config.TEMPORAL_ADDRESS, tls: tls ? {} : undefined, apiKey: config.TEMPORAL_API_KEY };
}

/**
 * A client whose connection is made lazily, so the API starts (and reports Temporal as down on
 * /health) even while Temporal is unreachable.
 */
export function createTemporalClient(config: Config, opts: Pick<ClientOptions, 'interceptors'> = {}): Client {
  const connection = Connection.lazy(connectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...opts });
}

export function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

/** Link to one execution in the Temporal Web UI. */
export function executionUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string, runId?: string): string {
  const base = `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
