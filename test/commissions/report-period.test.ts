/** The commission report and conversion metrics without `period` cover the last 30 days (it used to match nothing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversionMetricsQuery, reportQuery } from '../../api/routes/commissions';

test('no period → the last 30 days, as a range', () => {
  for (const schema of [reportQuery, conversionMetricsQuery]) {
    const { period } = schema.parse({});
    assert.equal(period.label, '30d');
    const days = (period.to.getTime() - period.from.getTime()) / 86_400_000;
    assert.ok(days >= 30 && days < 31.1, `${days} days`);
    assert.ok(period.to.getTime() >= Date.now() - 1000);
  }
  assert.equal(reportQuery.parse({ period: '2026-11' }).period.from.toISOString(), '2026-11-01T00:00:00.000Z');
  assert.equal(reportQuery.safeParse({ period: 'yesterday' }).success, false);
});
