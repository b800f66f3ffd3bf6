/** Money in integer minor units: decimal text in and out, never floats. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMinorUnits, minorToProviderNumber, toMinorUnits } from '../../common/money';

test('decimal text and numbers become exact minor units per currency', () => {
  assert.equal(toMinorUnits('599.99', 'ARS'), 59_999);
  assert.equal(toMinorUnits(0.1, 'ARS'), 10);
  assert.equal(toMinorUnits(1234.5, 'BRL'), 123_450);
  assert.equal(toMinorUnits('250000', 'COP'), 250_000);
  assert.equal(toMinorUnits('1500.00', 'CLP'), 1_500, 'trailing zeros are not extra precision');
  assert.throws(() => toMinorUnits('1.005', 'ARS'), /at most 2 decimals/);
  assert.throws(() => toMinorUnits('1500.5', 'CLP'), /at most 0 decimals/);
  assert.throws(() => toMinorUnits('-1', 'ARS'));
  assert.throws(() => toMinorUnits('1e3', 'ARS'));
  assert.throws(() => toMinorUnits(Number.NaN, 'ARS'));
});

test('minor units format back exactly, and sums of many never drift', () => {
  assert.equal(formatMinorUnits(59_999, 'ARS'), '599.99');
  assert.equal(formatMinorUnits(5, 'ARS'), '0.05');
  assert.equal(formatMinorUnits(-250, 'MXN'), '-2.50');
  assert.equal(formatMinorUnits(1500, 'CLP'), '1500');
  let sum = 0;
  for (let i = 0; i < 10_000; i++) sum += toMinorUnits('0.10', 'ARS');
  assert.equal(formatMinorUnits(sum, 'ARS'), '1000.00');
  assert.equal(minorToProviderNumber(339_999, 'ARS'), 3399.99);
});
