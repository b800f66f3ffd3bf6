/**
 * Reconciliation's pure parts and its paging, without servers: the window rule, the verdicts, the
 * keyset cursor over MercadoPago's search (the sandbox's own search code, many payments sharing a
 * date_last_updated, one of them updated while the run pages), the Schedule and the config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../common/config';
import { RECONCILIATION_SCHEDULE_ID } from '../../contracts/reconciliation';
import { classify, nextCursor, reconcileBatch, reconciliationWindow, SEARCH_PAGE_SIZE, type SearchPage } from '../../domain/payments/reconciliation';
import { parseSearch, searchPayments } from '../../sandbox/mercadopago-search';
import { SandboxState } from '../../sandbox/state';
import { productSchedules } from '../../workers/schedules';

const MIN = 60_000;
const now = new Date('2026-12-01T15:00:00.000Z');

test('the window: lookback on the first run, the overlap before the last end afterwards, up to now minus the grace', () => {
  const cfg = { overlapMinutes: 5, lookbackHours: 24, graceSeconds: 60 };
  assert.deepEqual(reconciliationWindow({ now, ...cfg }), { start: '2026-11-30T15:00:00.000Z', end: '2026-12-01T14:59:00.000Z' });
  assert.deepEqual(reconciliationWindow({ now, lastWindowEnd: new Date('2026-12-01T14:44:00.000Z'), ...cfg }), { start: '2026-12-01T14:39:00.000Z', end: '2026-12-01T14:59:00.000Z' });
  // A last end later than now minus the grace (a manual run right after another): an empty-ish window, never inverted.
  const w = reconciliationWindow({ now, lastWindowEnd: new Date('2026-12-01T15:10:00.000Z'), ...cfg });
  assert.ok(w.start <= w.end);
});

test('verdicts: missing, stale (older version, or the same one with another status), in sync (same or newer)', () => {
  const mp = { status: 'approved', date_last_updated: '2026-12-01T10:00:00.000Z' };
  const v = Date.parse(mp.date_last_updated);
  assert.equal(classify(null, mp), 'missing');
  assert.equal(classify({ version: v - 1, status: 'approved' }, mp), 'stale');
  assert.equal(classify({ version: v, status: 'pending' }, mp), 'stale');
  assert.equal(classify({ version: v, status: 'approved' }, mp), 'in_sync');
  assert.equal(classify({ version: v + 1, status: 'refunded' }, mp), 'in_sync');
});

test('keyset paging: ties on date_last_updated continue by offset within the tie', () => {
  const t = '2026-12-01T10:00:00.000Z';
  const page = Array.from({ length: 4 }, (_, i) => ({ date_last_updated: i < 2 ? '2026-12-01T09:00:00.000Z' : t }));
  assert.deepEqual(nextCursor({ begin: '2026-12-01T08:00:00.000Z', skip: 0 }, page), { begin: t, skip: 2 });
  assert.deepEqual(nextCursor({ begin: t, skip: 2 }, page.map(() => ({ date_last_updated: t }))), { begin: t, skip: 6 });
});

test('a window of 730 payments (many sharing a timestamp, one updated mid-run) is paged in batches, each payment handed over once', async () => {
  const state = new SandboxState();
  const base = Date.parse('2026-12-01T10:00:00.000Z');
  for (let i = 0; i < 730; i++) {
    const at = new Date(base + Math.floor(i / 37) * 1000).toISOString(); // 37 payments per second
    state.payments.set(String(i + 1), { id: i + 1, status: 'approved', transaction_amount: 10.5, currency_id: 'ARS', date_created: at, date_last_updated: at });
  }
  let calls = 0;
  const search: SearchPage = async (q) => {
    calls++;
    if (calls === 2) state.payments.get('3')!.date_last_updated = new Date(base + 3_600_000).toISOString(); // moves out of the window
    const parsed = parseSearch({ range: 'date_last_updated', sort: 'date_last_updated', criteria: 'asc', begin_date: q.beginDate, end_date: q.endDate, offset: String(q.offset), limit: String(q.limit) }, new Date(base + 60 * MIN));
    if ('error' in parsed) throw new Error(JSON.stringify(parsed.error));
    return searchPayments(state, parsed.params, new Date(base + 60 * MIN)) as unknown as Awaited<ReturnType<SearchPage>>;
  };
  const window = { start: new Date(base - MIN).toISOString(), end: new Date(base + 30 * MIN).toISOString() };
  const dispatched: string[] = [];
  let cursor;
  let batches = 0;
  do {
    const r = await reconcileBatch({ search, window, cursor, dispatch: async (p) => (dispatched.push(String(p.id)), 'started'), stored: async (ids) => ids.map(() => null), fixWaitMs: 0 });
    cursor = r.next;
    batches++;
  } while (cursor);
  assert.equal(batches, 2, `${Math.ceil(730 / SEARCH_PAGE_SIZE)} pages, 5 per batch`);
  assert.equal(new Set(dispatched).size, 730, 'none skipped, though one moved out while paging');
  assert.equal(dispatched.length, 730, 'none twice');
});

test('the Schedule: every RECONCILIATION_INTERVAL_MINUTES, overlap SKIP, the reconcilePayments workflow on the webhooks queue; bad intervals are refused by name', () => {
  const find = (env: Record<string, string>) => productSchedules(parseConfig(env as NodeJS.ProcessEnv)).find((s) => s.scheduleId === RECONCILIATION_SCHEDULE_ID)!;
  const s = find({});
  assert.deepEqual(s.spec, { intervals: [{ every: '15m' }] });
  assert.equal((s.action as { workflowType: string }).workflowType, 'reconcilePayments');
  assert.equal((s.action as { taskQueue: string }).taskQueue, 'webhooks');
  assert.equal(s.policies?.overlap, 'SKIP');
  assert.deepEqual(find({ RECONCILIATION_INTERVAL_MINUTES: '5' }).spec, { intervals: [{ every: '5m' }] });
  for (const [key, value] of [['RECONCILIATION_INTERVAL_MINUTES', '0'], ['RECONCILIATION_INTERVAL_MINUTES', 'often'], ['RECONCILIATION_DRIFT_RUNS', '0'], ['RECONCILIATION_LOOKBACK_HOURS', '-1']]) {
    assert.throws(() => parseConfig({ [key]: value } as NodeJS.ProcessEnv), (err: Error) => err.message.includes(key), `${key}=${value}`);
  }
});
