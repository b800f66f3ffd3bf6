/**
 * Attack class: x-signature spellings that tried to slip a stale timestamp past the replay window
 * (issue 14, finding 1). A property test generates header variants — key case, spacing,
 * duplicated fields, field order, missing parts, seconds vs milliseconds, stale and future
 * timestamps — each with a valid HMAC for the timestamp it carries, and asserts that no header
 * whose timestamp is outside the window is ever accepted, and that every accepted one verified
 * the very timestamp it carries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { parseSignatureHeader, verifyMercadoPagoSignature } from '../../api/webhooks/mercadopago-signature';

const secret = 'property-test-secret';
const requestId = 'req-1';
const dataId = '123456';
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const TOLERANCE = 300;

const hmacFor = (ts: string) => createHmac('sha256', secret).update(`id:${dataId};request-id:${requestId};ts:${ts};`).digest('hex');
const check = (xSignature: string) => verifyMercadoPagoSignature({ xSignature, xRequestId: requestId, dataId, secret, toleranceSeconds: TOLERANCE, now });
const inWindow = (ts: string) => {
  const raw = Number(ts);
  const ms = raw > 1e11 ? raw : raw * 1000;
  return Math.abs(now - ms) <= TOLERANCE * 1000;
};

/** A timestamp: fresh or stale or in the future, in seconds or milliseconds. */
const timestamp = fc
  .record({
    offsetSeconds: fc.oneof(fc.integer({ min: -TOLERANCE, max: TOLERANCE }), fc.integer({ min: -30 * 86400, max: 30 * 86400 })),
    millis: fc.boolean(),
  })
  .map(({ offsetSeconds, millis }) => (millis ? String(now + offsetSeconds * 1000) : String(Math.floor(now / 1000) + offsetSeconds)));

const keyCase = fc.constantFrom((k: string) => k, (k: string) => k.toUpperCase(), (k: string) => k[0].toUpperCase() + k.slice(1));
const spaces = fc.constantFrom('', ' ', '  ', '\t');

/** One header field: `ts=…` or `v1=…`, spelled in any case, with spaces around the key and value. */
const field = (key: string, value: string) =>
  fc.tuple(keyCase, spaces, spaces, spaces).map(([c, a, b, d]) => `${a}${c(key)}${b}=${d}${value}`);

const header = fc
  .record({ fresh: timestamp, stale: timestamp, hmacOf: fc.constantFrom('fresh', 'stale'), extraTs: fc.boolean(), extraV1: fc.boolean(), dropTs: fc.boolean(), dropV1: fc.boolean(), shuffle: fc.integer({ min: 0, max: 5 }) })
  .chain((h) => {
    const parts = [
      ...(h.dropTs ? [] : [field('ts', h.fresh)]),
      ...(h.extraTs ? [field('ts', h.stale)] : []),
      ...(h.dropV1 ? [] : [field('v1', hmacFor(h.hmacOf === 'fresh' ? h.fresh : h.stale))]),
      ...(h.extraV1 ? [field('v1', hmacFor(h.stale))] : []),
    ];
    return fc.tuple(...parts).map((ps) => {
      const rotated = ps.length ? [...ps.slice(h.shuffle % ps.length), ...ps.slice(0, h.shuffle % ps.length)] : ps;
      return { value: rotated.join(','), ...h };
    });
  });

test('no header variant with a timestamp outside the window is ever accepted', () => {
  fc.assert(
    fc.property(header, (h) => {
      const result = check(h.value);
      if (!result.ok) return true;
      // Accepted: exactly one ts and one v1, and the ts it carries is inside the window and signed.
      const parsed = parseSignatureHeader(h.value);
      assert.ok(!('failure' in parsed), `accepted a header the parser refuses: ${h.value}`);
      assert.ok(inWindow(parsed.ts), `accepted a stale or future ts: ${h.value}`);
      assert.equal(parsed.v1, hmacFor(parsed.ts));
      assert.equal(result.ts, Number(parsed.ts) > 1e11 ? Number(parsed.ts) : Number(parsed.ts) * 1000);
      return true;
    }),
    { seed: 14, numRuns: 5000 },
  );
});

test('the reported attacks are refused', () => {
  const week = Math.floor(now / 1000) - 7 * 86400;
  const fresh = Math.floor(now / 1000);
  // Upper-case key with a week-old ts and a valid HMAC for it.
  assert.deepEqual(check(`TS=${week},v1=${hmacFor(String(week))}`), { ok: false, reason: 'TimestampOutOfTolerance' });
  // A fresh ts followed by a stale one (the SDK keeps the last).
  assert.deepEqual(check(`ts=${fresh},ts=${week},v1=${hmacFor(String(week))}`), { ok: false, reason: 'DuplicateSignatureField' });
  // A space before `=`.
  assert.deepEqual(check(`ts =${week},v1=${hmacFor(String(week))}`), { ok: false, reason: 'TimestampOutOfTolerance' });
  // Non-numeric, empty and absurd timestamps.
  assert.deepEqual(check(`ts=abc,v1=${hmacFor('abc')}`), { ok: false, reason: 'MalformedSignatureHeader' });
  assert.deepEqual(check(`ts=,v1=${hmacFor('')}`), { ok: false, reason: 'MalformedSignatureHeader' });
  assert.deepEqual(check(`ts=${'9'.repeat(40)},v1=${hmacFor('9'.repeat(40))}`), { ok: false, reason: 'MalformedSignatureHeader' });
  assert.deepEqual(check(`v1=${hmacFor(String(fresh))}`), { ok: false, reason: 'MissingTimestamp' });
  assert.deepEqual(check(`ts=${fresh},v1=${hmacFor(String(fresh))},v1=${hmacFor(String(fresh))}`), { ok: false, reason: 'DuplicateSignatureField' });
  // The same header, spelled as MercadoPago spells it, with spacing and case tolerated.
  assert.deepEqual(check(`ts=${fresh},v1=${hmacFor(String(fresh))}`), { ok: true, ts: fresh * 1000 });
  assert.deepEqual(check(` TS = ${fresh} , V1 = ${hmacFor(String(fresh))} `), { ok: true, ts: fresh * 1000 });
});
