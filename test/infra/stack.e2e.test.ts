/**
 * The README's first command, for real: infra/stack.ts brings every part up on free ports in a
 * temp data folder, runs the main job end to end, and stops everything cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, ROOT } from '../../infra/processes';

test('the dev stack comes up healthy, runs the main job, and stops cleanly', { timeout: 240000 }, async () => {
  const data = mkdtempSync(path.join(tmpdir(), 'pagosflow-stack-'));
  const [temporal, ui, mongo, api, sandbox] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PAGOSFLOW_DATA_DIR: data,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    TEMPORAL_UI_URL: `http://127.0.0.1:${ui}`,
    MONGODB_URI: `mongodb://127.0.0.1:${mongo}/pagosflow`,
    API_PORT: String(api),
    SANDBOX_PORT: String(sandbox),
    SANDBOX_SMTP_PORT: String(await freePort()),
    // Every port the stack binds is a free one, so the test runs beside `npm start` (which holds the defaults).
    WORKER_METRICS_PORT: String(await freePort()),
    MERCADOPAGO_BASE_URL: `http://127.0.0.1:${sandbox}/mercadopago`,
    GHL_BASE_URL: `http://127.0.0.1:${sandbox}/gohighlevel`,
  };
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/stack.ts'), '--exit-after-demo'], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /all parts healthy/);
    assert.match(out, /processed in \d+ ms: payment approved, CRM contact tagged \[pago-aprobado\]/);
    assert.match(out, new RegExp(`execution: http://127.0.0.1:${ui}/namespaces/default/workflows/webhook-mp-\\d+/`));
    assert.match(out, /order PF-[0-9A-Z]{12} confirmed in \d+ ms/);
    assert.match(out, /confirmation email "Pedido PF-[0-9A-Z]{12} confirmado" delivered/);
    assert.match(out, /cart \(same on both devices\): 1 × Termo térmico de acero 1 l, 2 × Yerba mate 1 kg; subtotal ARS 43401\.00/);
    assert.match(out, /from the cart with coupon BIENVENIDA\d+: subtotal ARS 43401\.00 − discount 6510\.15 = total 36890\.85/);
    assert.match(out, /cart order PF-[0-9A-Z]{12} paid ARS 36890\.85 at the sandbox and confirmed in \d+ ms; the cart is empty/);
    assert.match(out, /search "termco acero \d+": [1-9]\d* result\(s\) in \d+ ms, first "Termo térmico de acero 1 l"/);
    assert.match(out, /order PF-[0-9A-Z]{12} delivered; verified review 5\/5 on TERMO-\d+: product rating 5 from 1 review\(s\)/);
    assert.match(out, /metrics: [1-9]\d* payments approved today \(ARS [\d.]+\), webhooks last hour [1-9]\d* ok \/ 0 failed, \d+ buckets read in \d+ ms; incidents opened: 0/);
    assert.match(out, /main job ok/);
    for (const part of ['api', 'worker', 'sandbox', 'ferretdb', 'temporal']) assert.match(out, new RegExp(`${part} stopped`));
    assert.ok(existsSync(path.join(data, 'temporal', 'temporal.db')), 'Temporal history is persisted to SQLite');
    assert.ok(existsSync(path.join(data, 'logs', 'api.log')));
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('the stack refuses to start on a taken port, naming it', async () => {
  const net = await import('node:net');
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/stack.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, API_PORT: String(port), TEMPORAL_ADDRESS: 'temporal.example.internal:7233', MONGODB_URI: 'mongodb://db.example.internal:27017/x', SANDBOX_PORT: String(await freePort()), SANDBOX_SMTP_PORT: String(await freePort()), WORKER_METRICS_PORT: String(await freePort()) },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, new RegExp(`port ${port} \\(API\\) is taken`));
  } finally {
    blocker.close();
  }
});
