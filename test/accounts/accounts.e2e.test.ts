/**
 * Accounts end to end on the real stack (API + worker + FerretDB + sandbox, whose SMTP sink keeps
 * the mail): password reset by emailed single-use token, profile and password change, and an
 * admin deactivating an account (its tokens stop at the next request).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mongoose from 'mongoose';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let db: mongoose.Connection;
let sandbox: ReturnType<typeof sandboxAdmin>;
const KEY = 'accounts-e2e-admin-key-0001';
const ADMIN_EMAIL = 'jefa@example.com';
const ADMIN_PASSWORD = 'admin-password-long-1';

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY, ADMIN_EMAIL, ADMIN_PASSWORD, PUBLIC_BASE_URL: 'https://tienda.example.com' } });
  ({ stack, db } = ctx);
  sandbox = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (p: string) => `${stack.apiUrl}${p}`;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
let seq = 0;

async function register(password = 'primera-clave-1') {
  const email = `cuenta${++seq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password, name: 'Carla Díaz' } });
  assert.equal(res.status, 201, res.text);
  return { email, password, id: res.body.user.id as string, access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}
const login = (email: string, password: string) => http('POST', api('/auth/login'), { body: { email, password } });

async function resetMail(email: string, after = 0) {
  let link = '';
  await waitFor(`reset email to ${email}`, async () => {
    const mails = (await sandbox.mail(email)).filter((m) => m.subject === 'Restablecer tu contraseña');
    if (mails.length <= after) throw new Error(`${mails.length} reset emails`);
    link = /https:\/\/tienda\.example\.com\/reset-password\?token=[\w-]+/.exec(mails[mails.length - 1].text)?.[0] ?? '';
  });
  assert.ok(link, 'the email carries the reset link on PUBLIC_BASE_URL');
  return new URL(link).searchParams.get('token')!;
}

test('forgot → email with link → reset → every old session 401 → sign in with the new password; the token works once', async () => {
  const u = await register();
  const second = (await login(u.email, u.password)).body;
  const forgot = await http('POST', api('/auth/forgot-password'), { body: { email: u.email.toUpperCase() } });
  assert.equal(forgot.status, 202, forgot.text);
  const token = await resetMail(u.email);
  // Stored hashed: the database holds the token's SHA-256, never the token.
  const digest = createHash('sha256').update(token).digest('hex');
  assert.ok(await db.collection('password_reset_tokens').findOne({ _id: digest as never }));
  assert.equal(await db.collection('password_reset_tokens').findOne({ _id: token as never }), null);

  const weak = await http('POST', api('/auth/reset-password'), { body: { token, password: 'short' } });
  assert.deepEqual([weak.status, weak.body.error.field], [400, 'password'], 'registration rules apply');
  const reset = await http('POST', api('/auth/reset-password'), { body: { token, password: 'segunda-clave-2' } });
  assert.equal(reset.status, 200, reset.text);

  for (const t of [u.access, second.access_token]) assert.equal((await http('GET', api('/auth/me'), { headers: bearer(t) })).status, 401, 'old access tokens end');
  for (const t of [u.refresh, second.refresh_token]) assert.equal((await http('POST', api('/auth/refresh'), { body: { refresh_token: t } })).status, 401, 'old refresh tokens end');
  assert.equal((await login(u.email, u.password)).status, 401, 'the old password no longer works');
  const fresh = await login(u.email, 'segunda-clave-2');
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal((await http('GET', api('/auth/me'), { headers: bearer(fresh.body.access_token) })).status, 200);

  const again = await http('POST', api('/auth/reset-password'), { body: { token, password: 'tercera-clave-3' } });
  assert.deepEqual([again.status, again.body.error.field], [400, 'token'], 'a used token → 400');
  assert.equal((await login(u.email, 'segunda-clave-2')).status, 200, 'the refused reuse changed nothing');
  await waitFor('the "password changed" email', async () => {
    if (!(await sandbox.mail(u.email)).some((m) => m.subject === 'Tu contraseña fue cambiada')) throw new Error('not yet');
  });
});

test('an unknown email gets the same status and body, and no email; a known one gets its email', async () => {
  const u = await register();
  const unknown = `nadie.${Date.now()}@example.com`;
  const [a, b] = await Promise.all([
    http('POST', api('/auth/forgot-password'), { body: { email: unknown } }),
    http('POST', api('/auth/forgot-password'), { body: { email: u.email } }),
  ]);
  assert.deepEqual([a.status, a.text], [b.status, b.text]);
  assert.equal(a.status, 202);
  await resetMail(u.email); // sent after the answer, like the unknown one would be
  assert.deepEqual(await sandbox.mail(unknown), [], 'nothing was sent to the unknown address');
  const bad = await http('POST', api('/auth/forgot-password'), { body: { email: 'not-an-email' } });
  assert.deepEqual([bad.status, bad.body.error.field], [400, 'email']);
});

test('two concurrent resets with one token: exactly one succeeds; forged and expired tokens → 400', async () => {
  const u = await register();
  await http('POST', api('/auth/forgot-password'), { body: { email: u.email } });
  const token = await resetMail(u.email);
  const answers = await Promise.all(['carrera-clave-a1', 'carrera-clave-b2'].map((password) => http('POST', api('/auth/reset-password'), { body: { token, password } })));
  assert.deepEqual(answers.map((r) => r.status).sort(), [200, 400], answers.map((r) => r.text).join(' | '));
  const winner = answers[0].status === 200 ? 'carrera-clave-a1' : 'carrera-clave-b2';
  assert.equal((await login(u.email, winner)).status, 200);

  const forged = await http('POST', api('/auth/reset-password'), { body: { token: 'A'.repeat(43), password: 'otra-clave-larga' } });
  assert.deepEqual([forged.status, forged.body.error.field], [400, 'token']);
  // An expired token: stored as the API stores them, an hour and a second old.
  const expired = 'E'.repeat(43);
  const user = await db.collection('users').findOne({ _id: u.email as never });
  await db.collection('password_reset_tokens').insertOne({
    _id: createHash('sha256').update(expired).digest('hex') as never,
    userId: user!.userId,
    email: u.email,
    createdAt: new Date(Date.now() - 3_601_000),
    expiresAt: new Date(Date.now() - 1000),
  });
  const late = await http('POST', api('/auth/reset-password'), { body: { token: expired, password: 'otra-clave-larga' } });
  assert.deepEqual([late.status, late.body.error.code, late.body.error.field], [400, 'invalid_reset_token', 'token']);
  assert.match(late.body.error.message, /expired/);
  assert.equal((await login(u.email, winner)).status, 200);
});

test('profile: PATCH /auth/me; change-password ends the other sessions and answers new tokens', async () => {
  const u = await register();
  const patched = await http('PATCH', api('/auth/me'), { headers: bearer(u.access), body: { name: 'Carla D.', phone: '+54 11 5555 0000' } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual([patched.body.user.name, patched.body.user.phone], ['Carla D.', '+54 11 5555 0000']);
  const cleared = await http('PATCH', api('/auth/me'), { headers: bearer(u.access), body: { phone: null } });
  assert.equal(cleared.body.user.phone, undefined);
  const badPhone = await http('PATCH', api('/auth/me'), { headers: bearer(u.access), body: { phone: 'call me' } });
  assert.deepEqual([badPhone.status, badPhone.body.error.field], [400, 'phone']);
  const nothing = await http('PATCH', api('/auth/me'), { headers: bearer(u.access), body: {} });
  assert.equal(nothing.status, 400);
  assert.equal((await http('PATCH', api('/auth/me'), { headers: bearer(KEY), body: { name: 'x' } })).status, 403, 'an API key is not a person');

  const other = (await login(u.email, u.password)).body;
  const wrong = await http('POST', api('/auth/change-password'), { headers: bearer(u.access), body: { current: 'no-es-esta', new: 'nueva-clave-larga' } });
  assert.deepEqual([wrong.status, wrong.body.error.field], [400, 'current']);
  const weak = await http('POST', api('/auth/change-password'), { headers: bearer(u.access), body: { current: u.password, new: 'corta' } });
  assert.deepEqual([weak.status, weak.body.error.field], [400, 'new']);
  const changed = await http('POST', api('/auth/change-password'), { headers: bearer(u.access), body: { current: u.password, new: 'nueva-clave-larga' } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await http('GET', api('/auth/me'), { headers: bearer(other.access_token) })).status, 401, 'other sessions end');
  assert.equal((await http('POST', api('/auth/refresh'), { body: { refresh_token: other.refresh_token } })).status, 401);
  assert.equal((await http('GET', api('/auth/me'), { headers: bearer(u.access) })).status, 401, 'the token that asked ends too');
  const me = await http('GET', api('/auth/me'), { headers: bearer(changed.body.access_token) });
  assert.deepEqual([me.status, me.body.user.name], [200, 'Carla D.'], 'the new tokens in the answer carry on');
  assert.equal((await http('POST', api('/auth/refresh'), { body: { refresh_token: changed.body.refresh_token } })).status, 200);
  assert.equal((await login(u.email, 'nueva-clave-larga')).status, 200);
});

test('admin users: search and filter; deactivated → 401 at the next request, no login or refresh; reactivated → back; no self-demotion; customers 403', async () => {
  const u = await register();
  const adminLogin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  assert.equal(adminLogin.status, 200, adminLogin.text);
  const asAdminUser = bearer(adminLogin.body.access_token);
  const asKey = bearer(KEY);

  const found = await http('GET', api(`/api/v1/admin/users?search=${encodeURIComponent(u.email.split('@')[0])}`), { headers: asKey });
  assert.equal(found.status, 200, found.text);
  assert.deepEqual(found.body.items.map((x: any) => [x.id, x.email, x.status, x.role]), [[u.id, u.email, 'active', 'customer']]);
  assert.equal(found.body.items[0].password_hash, undefined);
  const admins = await http('GET', api('/api/v1/admin/users?role=admin'), { headers: asAdminUser });
  assert.ok(admins.body.items.every((x: any) => x.role === 'admin') && admins.body.items.some((x: any) => x.email === ADMIN_EMAIL));
  const badRole = await http('GET', api('/api/v1/admin/users?role=root'), { headers: asKey });
  assert.deepEqual([badRole.status, badRole.body.error.field], [400, 'role']);
  assert.equal((await http('GET', api('/api/v1/admin/users'), { headers: bearer(u.access) })).status, 403, 'customers are refused');
  assert.equal((await http('GET', api('/api/v1/admin/users'))).status, 401);

  assert.equal((await http('GET', api('/auth/me'), { headers: bearer(u.access) })).status, 200);
  const off = await http('PATCH', api(`/api/v1/admin/users/${u.id}`), { headers: asAdminUser, body: { status: 'deactivated' } });
  assert.deepEqual([off.status, off.body.status], [200, 'deactivated'], off.text);
  const next = await http('GET', api('/auth/me'), { headers: bearer(u.access) });
  assert.equal(next.status, 401, 'the very next request is refused');
  assert.equal((await http('GET', api('/api/v1/orders'), { headers: bearer(u.access) })).status, 401);
  assert.equal((await http('POST', api('/auth/refresh'), { body: { refresh_token: u.refresh } })).status, 401);
  const denied = await login(u.email, u.password);
  assert.deepEqual([denied.status, denied.body.error.code], [403, 'account_deactivated']);
  const listed = await http('GET', api('/api/v1/admin/users?status=deactivated'), { headers: asKey });
  assert.ok(listed.body.items.some((x: any) => x.id === u.id));

  const on = await http('PATCH', api(`/api/v1/admin/users/${u.id}`), { headers: asKey, body: { status: 'active' } });
  assert.equal(on.status, 200);
  assert.equal((await http('GET', api('/auth/me'), { headers: bearer(u.access) })).status, 200, 'reactivated: its tokens work again');
  assert.equal((await login(u.email, u.password)).status, 200);

  // A role change takes effect at the next request too.
  const promoted = await http('PATCH', api(`/api/v1/admin/users/${u.id}`), { headers: asKey, body: { role: 'admin' } });
  assert.equal(promoted.body.role, 'admin');
  assert.equal((await http('GET', api('/api/v1/admin/users'), { headers: bearer(u.access) })).status, 200);
  await http('PATCH', api(`/api/v1/admin/users/${u.id}`), { headers: asKey, body: { role: 'customer' } });
  assert.equal((await http('GET', api('/api/v1/admin/users'), { headers: bearer(u.access) })).status, 403);

  const adminId = adminLogin.body.user.id;
  const selfOff = await http('PATCH', api(`/api/v1/admin/users/${adminId}`), { headers: asAdminUser, body: { status: 'deactivated' } });
  assert.deepEqual([selfOff.status, selfOff.body.error.field], [409, 'status']);
  const selfDemote = await http('PATCH', api(`/api/v1/admin/users/${adminId}`), { headers: asAdminUser, body: { role: 'customer' } });
  assert.deepEqual([selfDemote.status, selfDemote.body.error.field], [409, 'role']);
  assert.equal((await http('GET', api('/api/v1/admin/users'), { headers: asAdminUser })).status, 200, 'still an admin');
  const badStatus = await http('PATCH', api(`/api/v1/admin/users/${u.id}`), { headers: asKey, body: { status: 'banned' } });
  assert.deepEqual([badStatus.status, badStatus.body.error.field], [400, 'status']);
  const unknown = await http('PATCH', api('/api/v1/admin/users/no-such-user'), { headers: asKey, body: { status: 'active' } });
  assert.deepEqual([unknown.status, unknown.body.error.field], [404, 'id']);
});
