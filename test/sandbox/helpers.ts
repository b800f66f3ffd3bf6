/** In-process sandbox + a tiny webhook receiver for the sandbox contract tests. */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxApp } from '../../sandbox/app';

export const OPTS = { mercadoPagoAccessToken: 'mp-token-sbx', mercadoPagoWebhookSecret: 'secret-sbx', ghlAccessToken: 'ghl', ghlLocationId: 'loc' };

export interface Received {
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** The x-signature checks against the manifest MercadoPago signs. */
  signatureValid: boolean;
}

async function listen(server: Server) {
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startSandbox() {
  const { app, state } = createSandboxApp(OPTS);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mp = (path: string, init: RequestInit = {}) =>
    fetch(`${base}/mercadopago${path}`, { ...init, headers: { authorization: `Bearer ${OPTS.mercadoPagoAccessToken}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { state, base, mp, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function startReceiver(secret = OPTS.mercadoPagoWebhookSecret) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const sig = String(req.headers['x-signature'] ?? '');
      const parts = Object.fromEntries(sig.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const manifest = `id:${query.get('data.id')};request-id:${req.headers['x-request-id']};ts:${parts.ts};`;
      const expected = createHmac('sha256', secret).update(manifest).digest('hex');
      received.push({ query, headers: req.headers, body: raw ? JSON.parse(raw) : null, signatureValid: expected === parts.v1 });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  const url = `${await listen(server)}/webhooks/mercadopago`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
