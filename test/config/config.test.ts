import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, parseConfig, SANDBOX_SECRETS, SANDBOX_TWILIO } from '../../common/config';

test('defaults point at the embedded dev stack', () => {
  const c = parseConfig({});
  assert.equal(c.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(c.MONGODB_URI, 'mongodb://127.0.0.1:27017/pagosflow');
  assert.deepEqual(c.WORKER_TASK_QUEUES, ['webhooks', 'orders', 'commissions', 'ops', 'gohighlevel']);
  assert.equal(c.API_PORT, 3000);
});

test('values are coerced and validated', () => {
  const c = parseConfig({ API_PORT: '8081', WORKER_TASK_QUEUES: 'ops, webhooks', TEMPORAL_TLS: 'true' });
  assert.equal(c.API_PORT, 8081);
  assert.deepEqual(c.WORKER_TASK_QUEUES, ['ops', 'webhooks']);
  assert.equal(c.TEMPORAL_TLS, true);
});

for (const [key, value] of [
  ['API_PORT', 'eighty'],
  ['API_PORT', '70000'],
  ['MONGODB_URI', 'postgres://x'],
  ['WORKER_TASK_QUEUES', 'webhooks,payments'],
  ['MERCADOPAGO_BASE_URL', 'not a url'],
  ['LOG_LEVEL', 'loud'],
  ['TWILIO_API_URL', 'api.twilio.com'],
  ['TWILIO_ACCOUNT_SID', 'SK0123456789abcdef0123456789abcdef'],
  ['TWILIO_AUTH_TOKEN', 'not-a-token'],
  ['TWILIO_FROM_NUMBER', '011 5555 0101'],
  ['ONCALL_ROTATION', '{"startsAt":"2026-01-05T00:00:00Z","weeks":[{"primary":{"name":"A","email":"a@x.io","phone":"1155550101"},"secondary":{"name":"B","email":"b@x.io"}}]}'],
] as const) {
  test(`a bad ${key} (${value}) is rejected with a message naming it`, () => {
    assert.throws(
      () => parseConfig({ [key]: value }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0].startsWith(key),
    );
  });
}

test('production refuses the sandbox secrets, dev API keys, the sandbox Slack sink and, while critical pages by SMS, the sandbox Twilio', () => {
  assert.throws(
    () => parseConfig({ NODE_ENV: 'production' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      Object.keys(SANDBOX_SECRETS).every((k) => err.problems.some((p) => p.startsWith(k))) &&
      err.problems.some((p) => p.startsWith('API_KEYS')) &&
      err.problems.some((p) => p.startsWith('SLACK_WEBHOOK_URL')) &&
      Object.keys(SANDBOX_TWILIO).every((k) => err.problems.some((p) => p.startsWith(k) && p.includes('critical by sms'))) &&
      err.problems.some((p) => p.startsWith('TWILIO_API_URL')),
  );
  const real = {
    NODE_ENV: 'production',
    MERCADOPAGO_ACCESS_TOKEN: 'APP_USR-real-token',
    MERCADOPAGO_WEBHOOK_SECRET: 'a-real-webhook-secret',
    GHL_ACCESS_TOKEN: 'pit-real-token',
    JWT_SECRET: 'a-real-jwt-signing-secret-of-32-plus-chars',
    DATA_ENCRYPTION_KEY: 'cmVhbC1wcm9kdWN0aW9uLWtleS0zMi1ieXRlcy0wMDA=',
    API_KEYS: 'a-real-key-of-enough-length',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T0/B0/real',
  };
  const ok = parseConfig({
    ...real,
    TWILIO_API_URL: 'https://api.twilio.com',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
    TWILIO_FROM_NUMBER: '+5491155550000',
  });
  assert.equal(ok.NODE_ENV, 'production');
  // Without SMS in the matrix no Twilio account is needed.
  const noSms = parseConfig({ ...real, ESCALATION_MATRIX: '{"critical":{"channels":["email","slack"]}}' });
  assert.deepEqual(noSms.ESCALATION_MATRIX.critical.channels, ['email', 'slack']);
});

test('the API refuses to start on a bad variable, naming it, with exit code 78', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../api/main.ts')], {
    env: { PATH: process.env.PATH, API_PORT: 'abc' },
    encoding: 'utf8',
    timeout: 30000,
  });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /refuses to start/);
  assert.match(r.stderr, /API_PORT/);
});
