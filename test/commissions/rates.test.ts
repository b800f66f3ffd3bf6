/** Commission arithmetic: basis points, half-up rounding on minor units, tiers, bonus and cap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBps, commissionFor, percentToBps } from '../../domain/commissions/rates';

test('percentages become basis points exactly; nonsense is refused', () => {
  assert.equal(percentToBps(15), 1500);
  assert.equal(percentToBps('12.5'), 1250);
  assert.equal(percentToBps('0.01'), 1);
  assert.throws(() => percentToBps('12.345'));
  assert.throws(() => percentToBps(101));
  assert.throws(() => percentToBps(-1));
});

test('half-up rounding to the minor unit, once', () => {
  assert.equal(applyBps(333, 1500), 50); // 49.95 → 50
  assert.equal(applyBps(330, 1500), 50); // 49.5 → 50
  assert.equal(applyBps(329, 1500), 49); // 49.35 → 49
  assert.equal(applyBps(99_999_999_999, 2500), 25_000_000_000); // large values stay exact
});

test('campaign rate for its conversion type wins over the tier; bonus after the target; cap last', () => {
  const affiliate = { baseBps: 1000, premiumBps: 2000 };
  assert.equal(commissionFor(10_000, { conversionType: 'venta', tier: 'premium', affiliate, campaign: {}, earnedInCampaign: 0 }).amountMinor, 2_000);
  assert.equal(commissionFor(10_000, { conversionType: 'venta', tier: 'base', affiliate, campaign: {}, earnedInCampaign: 0 }).amountMinor, 1_000);
  assert.equal(commissionFor(10_000, { conversionType: 'venta', tier: 'base', affiliate, campaign: { saleBps: 800, conversionBps: 1500 }, earnedInCampaign: 0 }).amountMinor, 800);
  assert.equal(commissionFor(10_000, { conversionType: 'lead', tier: 'base', affiliate, campaign: { saleBps: 800, conversionBps: 1500 }, earnedInCampaign: 0 }).amountMinor, 1_500);
  const bonus = commissionFor(10_000, { conversionType: 'venta', tier: 'base', affiliate, campaign: { saleBps: 800, bonusBps: 200, bonusTarget: 3 }, earnedInCampaign: 3 });
  assert.deepEqual(bonus, { amountMinor: 1_000, rateBps: 800, bonusBps: 200, capped: false });
  assert.equal(commissionFor(10_000, { conversionType: 'venta', tier: 'base', affiliate, campaign: { saleBps: 800, bonusBps: 200, bonusTarget: 3 }, earnedInCampaign: 2 }).bonusBps, 0);
  assert.deepEqual(commissionFor(1_000_000, { conversionType: 'venta', tier: 'base', affiliate, campaign: { saleBps: 800, capMinor: 50_000 }, earnedInCampaign: 0 }), { amountMinor: 50_000, rateBps: 800, bonusBps: 0, capped: true });
});
