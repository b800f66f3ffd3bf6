/** The sandbox's GET /v1/payments/search speaks MercadoPago's contract: params, paging, sort, range, errors. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPayment } from '../../sandbox/mercadopago';
import { parseSearchDate } from '../../sandbox/mercadopago-search';
import { startSandbox } from './helpers';

let sbx: Awaited<ReturnType<typeof startSandbox>>;
before(async () => (sbx = await startSandbox()));
after(() => sbx.close());
beforeEach(() => sbx.state.reset());

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const search = async (q: Record<string, string | number>) => {
  const res = await sbx.mp(`/v1/payments/search?${new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)]))}`);
  return { status: res.status, body: (await res.json()) as any };
};

test('Bearer auth like every MercadoPago route', async () => {
  const res = await fetch(`${sbx.base}/mercadopago/v1/payments/search`, { headers: { authorization: 'Bearer wrong' } });
  assert.equal(res.status, 401);
});

test('paging shape, default limit 30, offset/limit pages through every payment once', async () => {
  for (let i = 0; i < 45; i++) newPayment(sbx.state, { status: 'approved', transaction_amount: 10 + i, date_created: ago(1 + i * 0.01) });
  const first = await search({});
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.paging, { total: 45, limit: 30, offset: 0 });
  assert.equal(first.body.results.length, 30);
  const seen = new Set<number>();
  for (let offset = 0; offset < 45; offset += 10) {
    const page = await search({ sort: 'date_created', criteria: 'asc', limit: 10, offset });
    assert.equal(page.body.paging.total, 45);
    assert.equal(page.body.paging.offset, offset);
    for (const p of page.body.results) seen.add(p.id);
  }
  assert.equal(seen.size, 45);
  const past = await search({ offset: 100 });
  assert.deepEqual(past.body.results, []);
  assert.equal(past.body.paging.total, 45);
});

test('results are the same resources as GET /v1/payments/{id}', async () => {
  const p = newPayment(sbx.state, { status: 'approved', transaction_amount: 12.34, external_reference: 'ORD-1' });
  const { body } = await search({ external_reference: 'ORD-1' });
  const one = await (await sbx.mp(`/v1/payments/${p.id}`)).json();
  assert.deepEqual(body.results, [one]);
});

test('sort by date_last_updated asc/desc, and by id', async () => {
  const a = newPayment(sbx.state, { status: 'pending', date_created: ago(3) });
  const b = newPayment(sbx.state, { status: 'pending', date_created: ago(2) });
  const c = newPayment(sbx.state, { status: 'pending', date_created: ago(1) });
  await sbx.mp(`/v1/payments/${a.id}`); // reads change nothing
  // a changes last: it is the most recently updated
  sbx.state.payments.get(String(a.id))!.date_last_updated = new Date().toISOString();
  const asc = await search({ sort: 'date_last_updated', criteria: 'asc' });
  assert.deepEqual(asc.body.results.map((p: any) => p.id), [b.id, c.id, a.id]);
  const desc = await search({ sort: 'date_last_updated', criteria: 'desc' });
  assert.deepEqual(desc.body.results.map((p: any) => p.id), [a.id, c.id, b.id]);
  const byCreated = await search({ sort: 'date_created', criteria: 'desc' });
  assert.deepEqual(byCreated.body.results.map((p: any) => p.id), [c.id, b.id, a.id]);
  const byId = await search({ sort: 'id', criteria: 'asc' });
  assert.deepEqual(byId.body.results.map((p: any) => p.id), [a.id, b.id, c.id]);
});

test('range with relative dates (NOW-XDAYS, NOW-XMONTHS) and ISO dates; default window NOW-3MONTHS..NOW; nothing older than 12 months', async () => {
  const recent = newPayment(sbx.state, { status: 'approved', date_created: ago(0.5) });
  const lastWeek = newPayment(sbx.state, { status: 'approved', date_created: ago(6) });
  const twoMonths = newPayment(sbx.state, { status: 'approved', date_created: ago(60) });
  const fiveMonths = newPayment(sbx.state, { status: 'approved', date_created: ago(150) });
  newPayment(sbx.state, { status: 'approved', date_created: ago(400) });
  const ids = (r: { body: any }) => r.body.results.map((p: any) => p.id).sort();

  assert.deepEqual(ids(await search({ range: 'date_created', begin_date: 'NOW-1DAYS', end_date: 'NOW' })), [recent.id]);
  assert.deepEqual(ids(await search({ range: 'date_created', begin_date: 'NOW-7DAYS', end_date: 'NOW-1DAYS' })), [lastWeek.id]);
  assert.deepEqual(ids(await search({})), [recent.id, lastWeek.id, twoMonths.id].sort()); // default NOW-3MONTHS
  assert.deepEqual(ids(await search({ begin_date: 'NOW-6MONTHS' })), [recent.id, lastWeek.id, twoMonths.id, fiveMonths.id].sort());
  assert.deepEqual(ids(await search({ begin_date: 'NOW-24MONTHS' })).length, 4); // the 400-day-old one is past twelve months
  const begin = new Date(Date.now() - 10 * DAY).toISOString();
  const end = new Date(Date.now() - 2 * DAY).toISOString().replace('Z', '+00:00');
  assert.deepEqual(ids(await search({ begin_date: begin, end_date: end })), [lastWeek.id]);
});

test('range=date_approved leaves out payments never approved; money_release_date follows the release days', async () => {
  const approved = newPayment(sbx.state, { status: 'approved', date_created: ago(2), money_release_days: 14 });
  newPayment(sbx.state, { status: 'pending', date_created: ago(2) });
  const r = await search({ range: 'date_approved', begin_date: 'NOW-3DAYS', end_date: 'NOW' });
  assert.deepEqual(r.body.results.map((p: any) => p.id), [approved.id]);
  const released = await search({ range: 'money_release_date', begin_date: 'NOW-3DAYS', end_date: 'NOW' });
  assert.equal(released.body.paging.total, 0); // released 12 days from now
});

test('filters: external_reference and status', async () => {
  newPayment(sbx.state, { status: 'approved', external_reference: 'A' });
  newPayment(sbx.state, { status: 'rejected', external_reference: 'A' });
  newPayment(sbx.state, { status: 'approved', external_reference: 'B' });
  assert.equal((await search({ external_reference: 'A' })).body.paging.total, 2);
  assert.equal((await search({ external_reference: 'A', status: 'approved' })).body.paging.total, 1);
  assert.equal((await search({ status: 'approved' })).body.paging.total, 2);
  assert.equal((await search({ external_reference: 'C' })).body.paging.total, 0);
});

test('bad values are refused as MercadoPago does: 400 with its cause codes', async () => {
  const cases: [Record<string, string | number>, number][] = [
    [{ sort: 'amount' }, 1003],
    [{ criteria: 'up' }, 1004],
    [{ begin_date: 'yesterday' }, 1001],
    [{ end_date: '2024-13-01' }, 1001],
    [{ begin_date: 'NOW-1WEEKS' }, 1001],
    [{ range: 'date_of_expiration' }, 1],
    [{ limit: -1 }, 1],
    [{ offset: 'x' }, 1],
    [{ limit: 1001 }, 1000],
  ];
  for (const [q, code] of cases) {
    const r = await search(q);
    assert.equal(r.status, 400, JSON.stringify(q));
    assert.equal(r.body.status, 400);
    assert.equal(r.body.error, 'bad_request');
    assert.equal(typeof r.body.message, 'string');
    assert.equal(r.body.cause[0].code, code, JSON.stringify(q));
  }
  assert.equal((await search({ limit: 1000 })).status, 200);
});

test('search dates: MercadoPago example forms parse', () => {
  const now = new Date('2026-03-31T12:00:00.000Z');
  assert.equal(parseSearchDate('NOW', 'end', now), now.getTime());
  assert.equal(parseSearchDate('NOW-30DAYS', 'begin', now), now.getTime() - 30 * DAY);
  assert.equal(new Date(parseSearchDate('NOW-1MONTH', 'begin', now)!).toISOString(), '2026-02-28T12:00:00.000Z');
  assert.equal(new Date(parseSearchDate('2019-8-4T00:00:00.001-04:00', 'begin', now)!).toISOString(), '2019-08-04T04:00:00.001Z');
  assert.equal(new Date(parseSearchDate('2024-08-23', 'begin', now)!).toISOString(), '2024-08-23T00:00:00.000Z');
  assert.equal(new Date(parseSearchDate('2024-08-23', 'end', now)!).toISOString(), '2024-08-23T23:59:59.999Z');
  assert.equal(parseSearchDate('2024-08-23T10:00', 'begin', now), undefined);
});
