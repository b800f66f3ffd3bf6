/**
 * Metric counters with several writing processes (issue 19): two real processes count 1,000
 * payments each into the same buckets at the same time, on FerretDB (whose `$inc` loses concurrent
 * increments of one document). Every bucket is exact, and the metrics snapshot reads the sums.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bucketId, bucketOf, readCounters, shardId } from '../../domain/persistence/counters';
import { MetricCount } from '../../domain/persistence/models/metric-count';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { metricsSnapshots } from '../../domain/ops/metrics-snapshot';
import { ROOT } from '../../infra/processes';
import { parseConfig } from '../../common/config';
import { integrationServers, type IntegrationServers } from '../harness/servers';

const run = promisify(execFile);
const TZ = 'America/Argentina/Buenos_Aires';
const N = 1000;
let servers: IntegrationServers;
let uri: string;
before(async () => {
  servers = await integrationServers();
  uri = servers.mongoUri('counters');
  await connectMongo({ MONGODB_URI: uri });
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

const writer = (prefix: string) => run(process.execPath, ['--import', 'tsx', 'test/fixtures/counter-writer.ts', uri, prefix, String(N)], { cwd: ROOT, timeout: 300_000 });

test('two writer processes × 1,000 payments: every bucket counts exactly 2,000, and the snapshot reads them', async () => {
  const before = new Date();
  const [a, b] = await Promise.all([writer('a'), writer('b')]);
  assert.match(a.stdout, /done/);
  assert.match(b.stdout, /done/);
  const after = new Date();
  // Both processes wrote every bucket: each has its own shard of it.
  const ids = (['m5', 'h', 'd', 'mo'] as const).map((g) => bucketId('payments', g, bucketOf(before, g, TZ)));
  // (A run that straddles a 5-minute or hour boundary spreads over two buckets; sum both.)
  const spanIds = (g: 'm5' | 'h' | 'd' | 'mo') => [...new Set([bucketOf(before, g, TZ), bucketOf(after, g, TZ)])].map((x) => bucketId('payments', g, x));
  const sums = await readCounters((['m5', 'h', 'd', 'mo'] as const).flatMap(spanIds));
  const amount = 2 * (N * 1000 + (N * (N - 1)) / 2);
  for (const g of ['m5', 'h', 'd', 'mo'] as const) {
    const total = spanIds(g).reduce((acc, id) => ({ n: acc.n + (sums.get(id)?.count?.approved ?? 0), ars: acc.ars + (sums.get(id)?.amount?.ARS ?? 0) }), { n: 0, ars: 0 });
    assert.deepEqual(total, { n: 2 * N, ars: amount }, `${g} buckets`);
  }
  const shards = await MetricCount.find({ _id: { $in: [shardId(ids[3], 0), shardId(ids[3], 1), shardId(ids[3], 2)] } }, { writer: 1 }).lean<{ writer: string }[]>();
  assert.equal(shards.length, 2, 'the month bucket has one shard per writing process');
  assert.notEqual(shards[0].writer, shards[1].writer);

  const { snapshot } = await metricsSnapshots(parseConfig({ NODE_ENV: 'test', SCHEDULE_TIMEZONE: TZ })).computeMetricsSnapshot();
  const day = (await readCounters([bucketId('payments', 'd', bucketOf(after, 'd', TZ))])).get(bucketId('payments', 'd', bucketOf(after, 'd', TZ)))!;
  if (bucketOf(before, 'd', TZ) === bucketOf(after, 'd', TZ)) {
    assert.equal(snapshot.financials.payments_approved, 2 * N);
    assert.deepEqual([day.client?.['a%40example%2Ecom'], day.client?.['b%40example%2Ecom']], [N, N], 'per-client day counters are exact too');
  }
});
