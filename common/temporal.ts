import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ClientOptions, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

function connectionOptions(config: Config) {
  const tls = config.TEMPORAL_TLS || config.TEMPORAL_API_KEY !== undefined;
  return { address: config.TEMPORAL_ADDRESS, tls: tls ? {} : undefined, apiKey: config.TEMPORAL_API_KEY };
}

/**
 * Fail fast, recover fast (issue 19). With the SDK's defaults a call to an unreachable Temporal is
 * retried 10 times with backoff up to 5 s (17–22 s before the webhook could answer 503, while
 * MercadoPago gives up at about 22 s), and gRPC's reconnect backoff grows to 120 s, so the API kept
 * failing for ~35 s after Temporal was back. Here: an unavailable server is retried 5 times (about
 * 2 s of backoff in all) and the channel tries to reconnect at least every second (keep-alive stays
 * at the SDK's 30 s, which every server's ping policy accepts). Calls that should answer quickly also carry a deadline (withTemporalDeadline).
 */
export const FAST_FAILURE_CONNECTION: Pick<ConnectionOptions, 'channelArgs' | 'interceptors' | 'connectTimeout'> = {
  connectTimeout: '3s',
  channelArgs: {
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.min_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 1000,
  },
  interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 5 }))],
};

/**
 * A client whose connection is made lazily, so the API starts (and reports Temporal as down on
 * /health) even while Temporal is unreachable.
 */
export function createTemporalClient(config: Config, opts: Pick<ClientOptions, 'interceptors'> = {}): Client {
  const connection = Connection.lazy({ ...connectionOptions(config), ...FAST_FAILURE_CONNECTION });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...opts });
}

/**
 * Runs `fn`'s Temporal calls under one deadline (TEMPORAL_START_TIMEOUT_MS): for calls that answer
 * at once when Temporal is well (starting a workflow, a signal), so a request is refused (503) in
 * bounded time when it is not, even if the network swallows packets instead of refusing them.
 * Not for calls that wait for workflow work (an update's result): those rely on the fast failure
 * of the connection itself.
 */
export function withTemporalDeadline<T>(client: Client, config: Pick<Config, 'TEMPORAL_START_TIMEOUT_MS'>, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + config.TEMPORAL_START_TIMEOUT_MS, fn);
}

export function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

/** Link to one execution in the Temporal Web UI. */
export function executionUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string, runId?: string): string {
  const base = `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
