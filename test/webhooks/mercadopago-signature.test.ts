import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyMercadoPagoSignature } from '../../api/webhooks/mercadopago-signature';
import { signMercadoPagoWebhook } from '../../sandbox/sign';

const secret = 'test-webhook-secret';
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const nowS = Math.floor(now / 1000);

function check(headers: { 'x-signature'?: string; 'x-request-id'?: string }, dataId: string | undefined, tolerance = 300) {
  return verifyMercadoPagoSignature({ xSignature: headers['x-signature'], xRequestId: headers['x-request-id'], dataId, secret, toleranceSeconds: tolerance, now });
}

test('a signature made as MercadoPago makes it verifies (manifest id;request-id;ts; with trailing semicolon)', () => {
  const requestId = 'bb56a2f1-6aae-46ac-982e-9dcd3581d08e';
  const manifest = `id:123456;request-id:${requestId};ts:${nowS};`;
  const v1 = createHmac('sha256', secret).update(manifest).digest('hex');
  assert.deepEqual(check({ 'x-signature': `ts=${nowS},v1=${v1}`, 'x-request-id': requestId }, '123456'), { ok: true, ts: nowS * 1000 });
  // Same thing through the sandbox's signer, which the tests and the benchmark use.
  assert.equal(check(signMercadoPagoWebhook({ secret, dataId: '123456', ts: nowS }), '123456').ok, true);
});

test('a wrong secret, a tampered data.id or a missing header is rejected with the reason', () => {
  assert.deepEqual(check(signMercadoPagoWebhook({ secret: 'another-secret', dataId: '1', ts: nowS }), '1'), { ok: false, reason: 'SignatureMismatch' });
  assert.deepEqual(check(signMercadoPagoWebhook({ secret, dataId: '1', ts: nowS }), '2'), { ok: false, reason: 'SignatureMismatch' });
  assert.deepEqual(check({}, '1'), { ok: false, reason: 'MissingSignatureHeader' });
  assert.deepEqual(check({ 'x-signature': 'garbage' }, '1'), { ok: false, reason: 'MalformedSignatureHeader' });
  assert.deepEqual(check({ 'x-signature': `ts=${nowS}` }, '1'), { ok: false, reason: 'MissingHash' });
});

test('an alphanumeric data.id signed as sent or lowercased both verify', () => {
  const asSent = signMercadoPagoWebhook({ secret, dataId: 'ABC123def', ts: nowS });
  assert.equal(check(asSent, 'ABC123def').ok, true);
  const lowered = signMercadoPagoWebhook({ secret, dataId: 'abc123def', ts: nowS });
  assert.equal(check(lowered, 'ABC123def').ok, true);
});

test('ts in seconds or milliseconds; outside the replay window is rejected either way', () => {
  assert.equal(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: now }), '9').ok, true);
  assert.equal(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: nowS - 299 }), '9').ok, true);
  assert.deepEqual(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: nowS - 301 }), '9'), { ok: false, reason: 'TimestampOutOfTolerance' });
  assert.deepEqual(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: now - 301_000 }), '9'), { ok: false, reason: 'TimestampOutOfTolerance' });
  assert.deepEqual(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: nowS + 400 }), '9'), { ok: false, reason: 'TimestampOutOfTolerance' });
  assert.equal(check(signMercadoPagoWebhook({ secret, dataId: '9', ts: nowS - 3000 }), '9', 3600).ok, true);
});
