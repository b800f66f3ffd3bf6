/**
 * A provider slower than the api_response_time threshold (5,000 ms by default) is reported
 * answering and slow, so the rule can fire: the probe waits past the threshold instead of giving up
 * at it and calling the provider down.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../common/config';
import { dependencyProbes } from '../../domain/ops/probes';
import { healthAlerts } from '../../domain/ops/health-rules';

let server: Server;
after(() => new Promise<void>((r) => server.close(() => r())));

test('a 5.2 s answer is slow, not down, and raises api_response_time', { timeout: 30_000 }, async () => {
  server = createServer((_req, res) => setTimeout(() => res.end('[]'), 5200)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = parseConfig({ MERCADOPAGO_BASE_URL: base });
  assert.equal(config.ALERT_RULES.api_response_time.threshold, 5000);
  const r = await dependencyProbes(config).probeMercadoPago();
  assert.equal(r.status, 'degraded', JSON.stringify(r));
  assert.equal(r.slow, true);
  assert.ok(r.latencyMs >= 5200);
  const { raise } = healthAlerts([r]);
  assert.ok(raise.some((a) => a.rule === 'api_response_time' && /5\d{3} ms/.test(a.message)), JSON.stringify(raise));
});
