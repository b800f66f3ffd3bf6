/**
 * Coupon redemption slots on real FerretDB (no transactions, no atomic conditional update): the
 * saga's step on its own, without the API's courtesy check in front of it. 50 concurrent
 * redemptions of a 10-use coupon → exactly 10; a retried redemption of one order holds one slot; a
 * released slot is claimable again; per-customer limits hold under concurrency too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { couponUsage, redeemCoupon, releaseCoupon } from '../../domain/orders/coupon-redemptions';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { ensureIndexes } from '../../domain/persistence/models';
import { Coupon, CouponRedemption } from '../../domain/persistence/models/coupon';
import { integrationServers, type IntegrationServers } from '../harness/servers';

let servers: IntegrationServers;
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('coupons') });
  await ensureIndexes();
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

const now = new Date();
const make = (code: string, limits: { usageLimit?: number; perCustomerLimit?: number }) => Coupon.create({ _id: code, type: 'percent', percent: 10, minOrderMinor: 0, active: true, createdAt: now, updatedAt: now, ...limits });
const redeem = (code: string, orderNumber: string, customerId = `c-${orderNumber}`) => redeemCoupon({ code, orderNumber, customerId, discountMinor: 100 });

test('50 concurrent redemptions of a coupon limited to 10: exactly 10 hold a slot, the others are refused coupon_exhausted', async () => {
  await make('RACE10', { usageLimit: 10 });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem('RACE10', `PF-RACE${i}`)));
  const won = results.filter((r) => r.redeemed);
  assert.equal(won.length, 10);
  assert.ok(results.filter((r) => !r.redeemed).every((r) => !r.redeemed && r.refusal === 'coupon_exhausted'));
  const slots = await CouponRedemption.find({ code: 'RACE10' }).lean();
  assert.deepEqual(slots.map((s) => s._id).sort(), Array.from({ length: 10 }, (_, i) => `RACE10:${i + 1}`).sort());
  assert.equal(new Set(slots.map((s) => s.orderNumber)).size, 10, 'one slot per order');
});

test('redeeming is idempotent by order number (a retried activity, even two attempts at once), and a released slot is reusable', async () => {
  await make('RETRY2', { usageLimit: 2 });
  const [a, b] = await Promise.all([redeem('RETRY2', 'PF-A'), redeem('RETRY2', 'PF-A')]);
  assert.ok(a.redeemed && b.redeemed);
  assert.equal(await CouponRedemption.countDocuments({ code: 'RETRY2', orderNumber: 'PF-A' }), 1, 'two attempts of one order keep one slot');
  assert.ok((await redeem('RETRY2', 'PF-A')).redeemed);
  assert.ok((await redeem('RETRY2', 'PF-B')).redeemed);
  const c = await redeem('RETRY2', 'PF-C');
  assert.deepEqual(c.redeemed ? 'redeemed' : c.refusal, 'coupon_exhausted');
  assert.deepEqual(await releaseCoupon({ code: 'RETRY2', orderNumber: 'PF-A' }), { released: 1 });
  assert.deepEqual(await releaseCoupon({ code: 'RETRY2', orderNumber: 'PF-A' }), { released: 0 }, 'releasing twice releases once');
  assert.ok((await redeem('RETRY2', 'PF-C')).redeemed, 'the released slot is claimed again');
  assert.deepEqual((await couponUsage('RETRY2')).used, 2);
});

test('per-customer limit under concurrency: 10 orders of one customer at once, limit 2 → 2; the total limit is left for others', async () => {
  await make('PERCLI', { usageLimit: 5, perCustomerLimit: 2 });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => redeem('PERCLI', `PF-PC${i}`, 'same-customer')));
  assert.equal(results.filter((r) => r.redeemed).length, 2);
  assert.ok(results.filter((r) => !r.redeemed).every((r) => !r.redeemed && r.refusal === 'coupon_customer_limit'));
  // The refused ones gave back any total slot they had not kept: 3 uses remain for other customers.
  assert.deepEqual(await couponUsage('PERCLI', 'same-customer'), { used: 2, usedByCustomer: 2 });
  const others = await Promise.all(Array.from({ length: 6 }, (_, i) => redeem('PERCLI', `PF-OT${i}`)));
  assert.equal(others.filter((r) => r.redeemed).length, 3);
  // A coupon without a total limit: one slot per order, still countable.
  await make('SINLIMITE', {});
  await Promise.all(Array.from({ length: 5 }, (_, i) => redeem('SINLIMITE', `PF-SL${i}`)));
  assert.ok((await redeem('SINLIMITE', 'PF-SL0')).redeemed);
  assert.equal((await couponUsage('SINLIMITE')).used, 5);
  assert.deepEqual((await redeem('NOSUCH', 'PF-X')).redeemed, false);
});
