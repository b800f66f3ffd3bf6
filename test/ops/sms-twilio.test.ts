/**
 * SMS pages. First the sandbox's Twilio against Twilio's Messages API contract (Basic auth, error
 * codes, the 201 Message resource, segments, the admin sink and injected faults), over real HTTP;
 * then the pager's `sms` channel against it: one-segment text, the page ref, someone without a phone,
 * and how each Twilio answer is classified for Temporal's retries.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createPager } from '../../activities/notifications/activities';
import { SMS_MAX } from '../../activities/notifications/render';
import { parseConfig, SANDBOX_TWILIO } from '../../common/config';
import { gsmLength, smsSegments } from '../../common/sms';
import type { NotificationRequest } from '../../contracts/ops';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { createSandboxApp } from '../../sandbox/app';

const SID: string = SANDBOX_TWILIO.TWILIO_ACCOUNT_SID;
const TOKEN = SANDBOX_TWILIO.TWILIO_AUTH_TOKEN;
const { app } = createSandboxApp({ mercadoPagoAccessToken: 'mp-token-123', mercadoPagoWebhookSecret: 'secret-123', ghlAccessToken: 'ghl-token-123', ghlLocationId: 'loc-1' });
let server: Server;
let base: string;
let admin: ReturnType<typeof sandboxAdmin>;
before(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = sandboxAdmin(base);
});
after(() => server.close());
beforeEach(async () => {
  await admin.reset();
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const messagesPath = (sid = SID) => `/twilio/2010-04-01/Accounts/${sid}/Messages.json`;

async function post(form: Record<string, string>, opts: { auth?: string | null; sid?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const auth = opts.auth === undefined ? basic(SID, TOKEN) : opts.auth;
  if (auth) headers.authorization = auth;
  const res = await fetch(`${base}${messagesPath(opts.sid)}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const twilioError = (code: number, status: number) => ({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}` });

test('Twilio contract: no credentials, a wrong token or another account → 401 with error 20003, and nothing is sent', async () => {
  const form = { To: '+5491155550101', From: '+15005550006', Body: 'hi' };
  for (const auth of [null, basic(SID, '0'.repeat(32)), basic('AC' + '1'.repeat(32), TOKEN), 'Bearer ' + TOKEN]) {
    const r = await post(form, { auth });
    assert.equal(r.status, 401, `auth ${auth}`);
    assert.deepEqual(r.body, { ...twilioError(20003, 401), message: 'Authenticate' });
    assert.equal(r.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
  }
  const other = await post(form, { sid: 'AC' + '2'.repeat(32) });
  assert.equal(other.status, 401, 'the right credentials only reach their own account');
  assert.deepEqual(await admin.sms(), []);
});

test('Twilio contract: validation errors are 400 with Twilio codes', async () => {
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ From: '+15005550006', Body: 'x' }, 21604, /'To' phone number is required/],
    [{ To: '+5491155550101', Body: 'x' }, 21603, /'From' phone number is required/],
    [{ To: '+5491155550101', From: '+15005550006' }, 21602, /body is required/],
    [{ To: '1155550101', From: '+15005550006', Body: 'x' }, 21211, /Invalid 'To' Phone Number: 1155550101/],
    [{ To: '+15005550001', From: '+15005550006', Body: 'x' }, 21211, /Invalid 'To' Phone Number/],
    [{ To: '+15005550009', From: '+15005550006', Body: 'x' }, 21614, /not a valid mobile number/],
    [{ To: '+5491155550101', From: '+1-800-bad', Body: 'x' }, 21212, /Invalid From Number/],
    [{ To: '+5491155550101', From: '+15005550006', Body: 'x'.repeat(1601) }, 21617, /1600 character limit/],
  ];
  for (const [form, code, message] of cases) {
    const r = await post(form);
    assert.equal(r.status, 400, JSON.stringify(form).slice(0, 80));
    assert.deepEqual({ ...r.body, message: undefined }, { ...twilioError(code, 400), message: undefined });
    assert.match(r.body.message, message);
  }
  assert.deepEqual(await admin.sms(), []);
});

test('Twilio contract: 201 with the Message resource, fetchable at its uri, kept by /__admin/sms; segments counted as Twilio counts them', async () => {
  const before = Date.now();
  const r = await post({ To: '+5491155550101', From: '+15005550006', Body: 'Hola on-call' });
  assert.equal(r.status, 201);
  const m = r.body;
  assert.match(m.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(m.account_sid, SID);
  assert.equal(m.api_version, '2010-04-01');
  assert.deepEqual([m.to, m.from, m.body, m.status, m.direction, m.num_segments, m.num_media], ['+5491155550101', '+15005550006', 'Hola on-call', 'queued', 'outbound-api', '1', '0']);
  assert.deepEqual([m.price, m.error_code, m.error_message, m.date_sent, m.messaging_service_sid], [null, null, null, null, null]);
  assert.match(m.date_created, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/, 'RFC 2822');
  assert.ok(Math.abs(Date.parse(m.date_created) - before) < 5000);
  assert.equal(m.uri, `/2010-04-01/Accounts/${SID}/Messages/${m.sid}.json`);
  const fetched = await fetch(`${base}/twilio${m.uri}`, { headers: { authorization: basic(SID, TOKEN) } });
  assert.equal(fetched.status, 200);
  assert.deepEqual(await fetched.json(), m);

  // Through a Messaging Service: accepted, the sender assigned later.
  const viaService = await post({ To: '+5491155550102', MessagingServiceSid: 'MG' + 'a'.repeat(32), Body: 'x' });
  assert.deepEqual([viaService.status, viaService.body.status, viaService.body.from, viaService.body.num_segments], [201, 'accepted', null, '0']);

  assert.equal((await post({ To: '+5491155550101', From: '+15005550006', Body: 'a'.repeat(161) })).body.num_segments, '2', '161 GSM characters: 2 parts of 153');
  assert.equal((await post({ To: '+5491155550101', From: '+15005550006', Body: '{'.repeat(81) })).body.num_segments, '2', 'extension characters count twice');
  assert.equal((await post({ To: '+5491155550101', From: '+15005550006', Body: 'á'.repeat(71) })).body.num_segments, '2', 'UCS-2: 70 per SMS');

  const sent = await admin.sms('+5491155550101');
  assert.equal(sent.length, 4);
  assert.deepEqual([sent[0].sid, sent[0].body, sent[0].from], [m.sid, 'Hola on-call', '+15005550006']);
  await admin.reset();
  assert.deepEqual(await admin.sms(), [], 'reset with the other sinks');
});

test('Twilio contract: injected faults answer in Twilio error shape (503 with Retry-After, 429 = 20429) and send nothing', async () => {
  await admin.fault({ provider: 'twilio', path: '/Messages.json', status: 503, retryAfterSeconds: 7 });
  const down = await post({ To: '+5491155550101', From: '+15005550006', Body: 'x' });
  assert.equal(down.status, 503);
  assert.deepEqual(down.body, { ...twilioError(20500, 503), message: 'injected fault' });
  assert.equal(down.headers.get('retry-after'), '7');
  await admin.fault({ provider: 'twilio', kind: 'rate-limit', retryAfterSeconds: 2 });
  const limited = await post({ To: '+5491155550101', From: '+15005550006', Body: 'x' });
  assert.deepEqual([limited.status, limited.body.code, limited.headers.get('retry-after')], [429, 20429, '2']);
  assert.deepEqual(await admin.sms(), []);
  assert.equal((await post({ To: '+5491155550101', From: '+15005550006', Body: 'x' })).status, 201, 'faults are consumed');
  assert.equal((await admin.calls({ provider: 'twilio' })).count, 3);
});

// ---- The pager's sms channel ---------------------------------------------------------------------

const rotation = {
  startsAt: '2026-01-05T00:00:00-03:00',
  weeks: [{ primary: { name: 'Ana', email: 'ana@ops.example', phone: '+5491155550101' }, secondary: { name: 'Bruno', email: 'bruno@ops.example' } }],
  escalation: [{ name: 'Carla', email: 'carla@ops.example', phone: '+15005550001' }],
};
const pagerConfig = (env: Record<string, string> = {}) =>
  parseConfig({ TWILIO_API_URL: `${base}/twilio`, ONCALL_ROTATION: JSON.stringify(rotation), PUBLIC_API_URL: 'https://pagos.example.com', ...env } as NodeJS.ProcessEnv);

const request = (over: Partial<NotificationRequest> = {}, title = 'MercadoPago API is down'): NotificationRequest => ({
  channel: 'sms',
  kind: 'triggered',
  level: 1,
  incident: { dedupKey: 'dependency-down:mercadopago', rule: 'provider_degraded', severity: 'critical', title, message: 'payment_methods answered 503', status: 'triggered', alertCount: 3, openedAt: new Date().toISOString() },
  workflowId: 'incident-dependency-down:mercadopago',
  runId: 'run-1',
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected ApplicationFailure, got ${err}`);
    return err;
  }
  assert.fail('expected a failure');
}

test('pager: a critical page is one SMS to the on-call phone with severity, title, count, link and a ref that a resend repeats', async () => {
  const send = createPager(pagerConfig());
  assert.deepEqual(await send(request(), 'page-1'), { recipient: '+5491155550101', channel: 'sms' });
  await send(request(), 'page-1'); // the same page again (an attempt retried after a lost answer)
  await send(request({ kind: 'resolved' }), 'page-2');
  const [first, resend, resolved] = await admin.sms('+5491155550101');
  assert.equal(first.from, SANDBOX_TWILIO.TWILIO_FROM_NUMBER);
  assert.match(first.body, /^\[CRITICAL\] Incident opened: MercadoPago API is down \(3 alerts\) https:\/\/pagos\.example\.com\/dashboard\/ ref [0-9a-f]{6}$/);
  assert.equal(first.numSegments, 1);
  assert.equal(resend.body, first.body, 'a resend is recognisably the same page');
  assert.match(resolved.body, /^\[CRITICAL\] Resolved: MercadoPago API is down/);
  assert.notEqual(resolved.body.slice(-6), first.body.slice(-6), 'another page, another ref');
  const [call] = (await admin.calls({ provider: 'twilio' })).calls;
  assert.equal(call.path, `/2010-04-01/Accounts/${SID}/Messages.json`);
});

test('pager: a long title with accents and dashes still fits one GSM segment', async () => {
  const send = createPager(pagerConfig({ PUBLIC_API_URL: 'https://operaciones.pagos-flow.example.com' }));
  const title = 'Caída total — la API de pagos de MercadoPago no responde desde la región sa-east-1 y los reintentos también fallan “sin parar” ' + 'ñ'.repeat(60);
  await send(request({ kind: 'escalated', level: 1 }, title), 'page-long');
  const [sms] = await admin.sms();
  assert.equal(sms.numSegments, 1);
  assert.ok((gsmLength(sms.body) ?? Infinity) <= SMS_MAX, `${sms.body.length}: ${sms.body}`);
  assert.equal(smsSegments(sms.body), 1);
  assert.match(sms.body, /^\[CRITICAL\] Escalated to you: Caida total - la API de pagos.*\.\.\. \(3 alerts\) https:\/\/operaciones\.pagos-flow\.example\.com\/dashboard\/ ref [0-9a-f]{6}$/);
});

test('pager: someone without a phone fails the sms channel at once (non-retryable) without calling Twilio', async () => {
  const send = createPager(pagerConfig());
  const err = await failure(send(request({ level: 2 }), 'page-bruno'));
  assert.equal(err.type, 'NoPhoneNumber');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /Bruno has no phone/);
  assert.equal((await admin.calls({ provider: 'twilio' })).count, 0);
  // Email to the same person is another channel and unaffected (not sent here: no SMTP in this test).
});

test('pager: Twilio answers classified for retries — bad number and bad credentials permanent, 503/429 retried after Retry-After', async () => {
  const send = createPager(pagerConfig());
  const badNumber = await failure(send(request({ level: 3 }), 'page-carla'));
  assert.deepEqual([badNumber.type, badNumber.nonRetryable], ['ProviderRejected', true]);
  assert.match(badNumber.message, /twilio POST .* → 400: Invalid 'To' Phone Number: \+15005550001/);

  const wrongToken = await failure(createPager(pagerConfig({ TWILIO_AUTH_TOKEN: 'f'.repeat(32) }))(request(), 'page-x'));
  assert.deepEqual([wrongToken.type, wrongToken.nonRetryable], ['ProviderRejected', true]);
  assert.match(wrongToken.message, /401: Authenticate/);

  await admin.fault({ provider: 'twilio', status: 503, retryAfterSeconds: 7 });
  const down = await failure(send(request(), 'page-y'));
  assert.deepEqual([down.type, down.nonRetryable, down.nextRetryDelay], ['ProviderUnavailable', false, 7000]);
  await admin.fault({ provider: 'twilio', kind: 'rate-limit', retryAfterSeconds: 2 });
  const limited = await failure(send(request(), 'page-y'));
  assert.deepEqual([limited.type, limited.nonRetryable, limited.nextRetryDelay], ['ProviderRateLimited', false, 2000]);
  assert.deepEqual(await send(request(), 'page-y'), { recipient: '+5491155550101', channel: 'sms' }, 'and the retry goes through');
  assert.equal((await admin.sms()).length, 1);
});
