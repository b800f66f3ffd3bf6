/**
 * The API app in-process, with no database or Temporal behind it (Temporal at a dead address), for
 * tests whose requests are all answered before either is reached. Servers close when the file ends.
 */
import { after } from 'node:test';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { parseConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createTemporalClient } from '../../common/temporal';

export function inProcessApi(adminKey: string) {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((s) => new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections())))));
  /** Starts one app with `env` over the test defaults; resolves to its base URL. */
  return async function app(env: Record<string, string> = {}): Promise<string> {
    const config = parseConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: '127.0.0.1:1', API_KEYS: adminKey, ...env });
    const server = createApp({ config, temporal: createTemporalClient(config), log: createLogger('test', 'silent'), version: 'test' }).listen(0, '127.0.0.1');
    servers.push(server);
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
}
