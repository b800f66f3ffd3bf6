/**
 * The stock movement chain on real FerretDB: concurrent reservations never oversell, stock never
 * goes negative, and a retried change applies once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStockChange, stockLevels } from '../../domain/catalog/stock';
import { ensureIndexes } from '../../domain/persistence/models';
import { StockMovement } from '../../domain/persistence/models/stock';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { integrationServers, type IntegrationServers } from '../harness/servers';

let servers: IntegrationServers;
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('stock') });
  await ensureIndexes();
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

test('50 concurrent reservations of 1 for the last 10 units: exactly 10 succeed, never negative', async () => {
  await applyStockChange({ sku: 'LAST-10', kind: 'initial', quantity: 10, opKey: 'init:LAST-10' });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => applyStockChange({ sku: 'LAST-10', kind: 'reserve', quantity: 1, opKey: `o${i}:LAST-10:reserve`, orderNumber: `o${i}` })),
  );
  assert.equal(results.filter((r) => r.applied).length, 10);
  assert.ok(results.filter((r) => !r.applied).every((r) => !r.applied && r.reason === 'insufficient_stock' && r.available === 0));
  assert.deepEqual(await stockLevels('LAST-10'), { version: 11, available: 0, reserved: 10 });
  const chain = await StockMovement.find({ sku: 'LAST-10' }).sort({ version: 1 }).lean();
  assert.deepEqual(chain.map((m) => m.version), Array.from({ length: 11 }, (_, i) => i + 1), 'one entry per version, no gaps');
  assert.ok(chain.every((m) => m.available >= 0 && m.reserved >= 0));
});

test('a retried change is applied once, and a retry is not refused after the stock moved on', async () => {
  await applyStockChange({ sku: 'RETRY', kind: 'initial', quantity: 3, opKey: 'init:RETRY' });
  const first = await applyStockChange({ sku: 'RETRY', kind: 'reserve', quantity: 3, opKey: 'A:RETRY:reserve' });
  const again = await applyStockChange({ sku: 'RETRY', kind: 'reserve', quantity: 3, opKey: 'A:RETRY:reserve' });
  assert.ok(first.applied && again.applied);
  assert.equal(again.version, first.version);
  assert.deepEqual(await stockLevels('RETRY'), { version: 2, available: 0, reserved: 3 });
  // Concurrent duplicates of one change, too.
  await Promise.all(Array.from({ length: 5 }, () => applyStockChange({ sku: 'RETRY', kind: 'release', quantity: 3, opKey: 'A:RETRY:release' })));
  assert.deepEqual(await stockLevels('RETRY'), { version: 3, available: 3, reserved: 0 });
});

test('reserve → commit sells; reserve → release gives back; restock adds; nothing reserved cannot be committed', async () => {
  await applyStockChange({ sku: 'FLOW', kind: 'initial', quantity: 5, opKey: 'init:FLOW' });
  await applyStockChange({ sku: 'FLOW', kind: 'reserve', quantity: 2, opKey: 'B:FLOW:reserve' });
  await applyStockChange({ sku: 'FLOW', kind: 'commit', quantity: 2, opKey: 'B:FLOW:commit' });
  assert.deepEqual(await stockLevels('FLOW'), { version: 3, available: 3, reserved: 0 });
  const orphan = await applyStockChange({ sku: 'FLOW', kind: 'commit', quantity: 1, opKey: 'C:FLOW:commit' });
  assert.equal(orphan.applied, false);
  await applyStockChange({ sku: 'FLOW', kind: 'restock', quantity: 2, opKey: 'B:FLOW:restock' });
  assert.deepEqual(await stockLevels('FLOW'), { version: 4, available: 5, reserved: 0 });
  const unknown = await applyStockChange({ sku: 'NOPE', kind: 'reserve', quantity: 1, opKey: 'D:NOPE:reserve' });
  assert.deepEqual(unknown, { applied: false, reason: 'no_such_stock', available: 0, reserved: 0 });
  const writeOff = await applyStockChange({ sku: 'FLOW', kind: 'adjust', quantity: -6, opKey: 'adj-1' });
  assert.equal(writeOff.applied, false, 'available never goes below zero');
});
