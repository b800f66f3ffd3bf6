/**
 * Verified backups on real FerretDB: dump → verify by restoring into a scratch database → drop a
 * collection → `npm run restore` (dry run, then for real) → identical data. Plus retention, and a
 * tampered archive refused. The metric counters' group commit is checked here too, since it exists
 * because of what FerretDB does to concurrent `$inc`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import * as tar from 'tar';
import { createBackupActivities } from '../../activities/backup/activities';
import { applyRetention, archiveName, openArchive } from '../../domain/ops/backup-archive';
import { bucketId, bucketOf, countEvent } from '../../domain/persistence/counters';
import { MetricCount } from '../../domain/persistence/models/metric-count';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { ROOT } from '../../infra/processes';
import { integrationServers, type IntegrationServers } from '../harness/servers';

const run = promisify(execFile);
let servers: IntegrationServers;
let dir: string;
let uri: string;
before(async () => {
  servers = await integrationServers();
  uri = servers.mongoUri('backup');
  await connectMongo({ MONGODB_URI: uri });
  dir = await mkdtemp(path.join(tmpdir(), 'pagosflow-backups-'));
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

const db = () => mongoose.connection.db!;
const all = async (name: string) => db().collection(name).find({}).sort({ _id: 1 }).toArray();

test('backup → verified restore into a scratch database → drop a collection → npm run restore → identical data', { timeout: 180_000 }, async () => {
  const products = Array.from({ length: 250 }, (_, i) => ({ _id: `SKU-${String(i).padStart(4, '0')}`, name: `Producto ${i} — ñandú`, priceMinor: 1999 + i, tags: ['a', 'b'], createdAt: new Date(1_700_000_000_000 + i) }));
  await db().collection('products').insertMany(products as never[]);
  await db().collection('orders').insertMany([{ _id: new mongoose.Types.ObjectId(), number: 'PF-1', items: [{ sku: 'SKU-0001', quantity: 2 }], total: 39.98, nested: { deep: { ok: true, at: new Date() } } }] as never[]);
  await db().collection('products').createIndex({ name: 1 }, { name: 'by_name' });
  const before = { products: await all('products'), orders: await all('orders') };

  const backup = createBackupActivities({ BACKUP_DIR: dir, BACKUP_KEEP_DAILY: 7, BACKUP_KEEP_MONTHLY: 12 });
  const summary = await backup.createBackup();
  assert.match(path.basename(summary.archive), /^pagosflow-\d{8}T\d{6}Z\.tar\.gz$/);
  assert.equal(summary.documents, 251);
  const listed: string[] = [];
  await tar.t({ file: summary.archive, onReadEntry: (e) => void listed.push(e.path) });
  // Every collection of the database (mongoose also created the empty ones of the models it loaded).
  for (const f of ['manifest.json', 'orders.jsonl', 'products.jsonl']) assert.ok(listed.includes(f), `${f} in the archive`);
  const { manifest, close } = await openArchive(summary.archive);
  await close();
  const byName = Object.fromEntries(manifest.collections.map((c) => [c.name, c]));
  assert.deepEqual([byName.orders.count, byName.products.count], [1, 250]);
  assert.equal(listed.length, manifest.collections.length + 1);
  assert.match(byName.products.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(byName.products.indexes.map((i) => i.name), ['by_name']);

  const verified = await backup.verifyBackup({ archive: summary.archive });
  assert.deepEqual([verified.identical, verified.differences], [true, []]);
  const dbs = (await db().admin().listDatabases()).databases.map((d) => d.name);
  assert.ok(!dbs.includes(verified.scratchDatabase), 'the scratch database is dropped after the check');

  // Disaster: a collection is lost.
  await db().collection('products').drop();
  const env = { ...process.env, MONGODB_URI: uri };
  const restore = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'infra/restore.ts', summary.archive, ...args], { cwd: ROOT, env, timeout: 120_000 });

  const dry = await restore('--dry-run');
  assert.match(dry.stdout, /checksums OK/);
  assert.match(dry.stdout, /products\s+250 documents/);
  assert.match(dry.stdout, /orders\s+1 documents\s+\(replaces 1 in/);
  assert.match(dry.stdout, /dry run: nothing written/);
  assert.equal((await db().listCollections({ name: 'products' }).toArray()).length, 0, 'the dry run wrote nothing');

  await assert.rejects(restore(), (err: { stderr: string }) => /orders .* is not empty; restore with --drop/.test(err.stderr), 'refuses to overwrite without --drop');
  const real = await restore('--drop');
  assert.match(real.stdout, /every collection matches the manifest/);
  assert.deepEqual(await all('products'), before.products);
  assert.deepEqual(await all('orders'), before.orders);
  assert.ok((await db().collection('products').indexes()).some((i) => i.name === 'by_name'), 'indexes restored');
});

test('a tampered archive is refused before anything is written', async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'pagosflow-tamper-'));
  await writeFile(path.join(work, 'manifest.json'), JSON.stringify({ format: 'pagos-flow-backup/1', database: 'x', createdAt: new Date().toISOString(), collections: [{ name: 'products', count: 1, sha256: '0'.repeat(64), bytes: 10, indexes: [] }] }));
  await writeFile(path.join(work, 'products.jsonl'), '{"_id":"SKU-X"}\n');
  const archive = path.join(work, archiveName(new Date()));
  await tar.c({ gzip: true, file: archive, cwd: work }, ['manifest.json', 'products.jsonl']);
  await assert.rejects(openArchive(archive), /products does not match its manifest/);
});

test('retention keeps the newest 7 daily archives plus the first of each recent month', async () => {
  const rdir = await mkdtemp(path.join(tmpdir(), 'pagosflow-retention-'));
  const days = ['20260801', '20260815', '20260901', '20260920', '20261001', '20261101', '20261115', '20261116', '20261117', '20261118', '20261119', '20261120', '20261121'];
  for (const d of days) await writeFile(path.join(rdir, `pagosflow-${d}T020000Z.tar.gz`), 'x');
  await writeFile(path.join(rdir, 'notes.txt'), 'not a backup');
  const { kept, deleted } = await applyRetention(rdir, 7, 3);
  assert.deepEqual(kept.map((f) => f.slice(10, 18)), ['20260901', '20261001', '20261101', '20261115', '20261116', '20261117', '20261118', '20261119', '20261120', '20261121']);
  assert.deepEqual(deleted.map((f) => f.slice(10, 18)).sort(), ['20260801', '20260815', '20260920']);
  assert.ok((await readdir(rdir)).includes('notes.txt'), 'other files are left alone');
});

test('400 concurrent metric increments on one bucket all land (FerretDB loses concurrent $inc without the group commit), and a claimed key counts once', async () => {
  const at = new Date();
  await Promise.all(
    Array.from({ length: 400 }, (_, i) => countEvent({ family: 'payments', at, granularities: ['m5', 'd'], timeZone: 'America/Argentina/Buenos_Aires', inc: { 'count.approved': 1, 'amount.ARS': 150 }, claimKey: `bench:${i}` })),
  );
  const again = await countEvent({ family: 'payments', at, granularities: ['m5', 'd'], timeZone: 'America/Argentina/Buenos_Aires', inc: { 'count.approved': 1 }, claimKey: 'bench:7' });
  assert.equal(again, false, 'a retried activity does not count twice');
  const doc = await MetricCount.findById(bucketId('payments', 'm5', bucketOf(at, 'm5', 'UTC'))).lean<any>();
  assert.deepEqual([doc.c.count.approved, doc.c.amount.ARS], [400, 60_000]);

  // Per-client counters go to the day bucket only.
  await countEvent({ family: 'security', at, granularities: ['m5', 'd'], timeZone: 'UTC', inc: { total: 1 }, dayInc: { 'client.ana%40example%2Ecom': 1 } });
  const m5 = await MetricCount.findById(bucketId('security', 'm5', bucketOf(at, 'm5', 'UTC'))).lean<any>();
  const day = await MetricCount.findById(bucketId('security', 'd', bucketOf(at, 'd', 'UTC'))).lean<any>();
  assert.deepEqual([m5.c.total, m5.c.client], [1, undefined]);
  assert.deepEqual([day.c.total, day.c.client['ana%40example%2Ecom']], [1, 1]);
});
