/** The pure parts of the sales analytics: exact splits, ISO weeks, and what a paid order adds to its bucket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, analyticsRows, isoWeek, refundIncrements, saleIncrements, totalsOf, type Counters } from '../../domain/analytics/sales';

test('allocate splits to the minor unit pro rata, and the parts always sum to the amount', () => {
  assert.deepEqual(allocate(15000, [200000, 50000]), [12000, 3000]);
  assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(allocate(-100, [1, 1, 1]), [-34, -33, -33]);
  assert.deepEqual(allocate(7, [0, 0]), [7, 0]);
  for (let i = 1; i < 200; i++) {
    const weights = [i * 7, 13, i % 5, 1001];
    assert.equal(allocate(i * 37 + 1, weights).reduce((a, b) => a + b, 0), i * 37 + 1);
  }
});

test('ISO weeks: Monday starts the week, the Thursday decides its year', () => {
  assert.equal(isoWeek('2026-12-01'), '2026-W49');
  assert.equal(isoWeek('2026-01-01'), '2026-W01');
  assert.equal(isoWeek('2027-01-01'), '2026-W53');
  assert.equal(isoWeek('2024-12-30'), '2025-W01');
  assert.equal(isoWeek('2021-01-03'), '2020-W53');
});

test('a paid order and a refund, read back as rows and totals, equal their amounts', () => {
  const order = { currency: 'ARS', totalMinor: 99999, fromCart: true, items: [{ sku: 'A.1', quantity: 2, lineTotalMinor: 66666 }, { sku: 'B', quantity: 1, lineTotalMinor: 33333 }] };
  const nest = (inc: Record<string, number>) => {
    const c: Counters = {};
    for (const [path, v] of Object.entries(inc)) {
      const keys = path.split('.');
      let at = c;
      for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Counters;
      at[keys[keys.length - 1]] = ((at[keys[keys.length - 1]] as number) ?? 0) + v;
    }
    return c;
  };
  const sale = saleIncrements(order, ['mates', 'uncategorized']);
  assert.equal(sale['p.A%2E1.ARS.sales'], 66666, 'dots in a sku are escaped');
  const refund = refundIncrements(order, ['mates', 'uncategorized'], 10000);
  const merged: Record<string, number> = { ...sale };
  for (const [k, v] of Object.entries(refund)) merged[k] = (merged[k] ?? 0) + v;
  const days = new Map([['2026-12-01', nest(merged)]]);
  const rows = analyticsRows(days, (d) => d, 'product');
  assert.deepEqual(
    rows.map((r) => [r.key, r.sales_minor, r.units, r.refunds_minor, r.net_minor]),
    [
      ['A.1', 66666, 2, 6667, 59999],
      ['B', 33333, 1, 3333, 30000],
    ],
  );
  assert.deepEqual(totalsOf([...days.values()]), [{ currency: 'ARS', orders: 1, orders_from_cart: 1, gross_minor: 99999, refunds_minor: 10000, net_minor: 89999 }]);
});
