/**
 * Records a workflow history for the replay tests: runs the workflow on a real dev server and
 * FerretDB and writes its history JSON under test/histories/. Re-record only when a workflow change
 * is meant to be incompatible (and version it); otherwise the old history must keep replaying.
 * Usage: node --import tsx test/histories/record.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { connectMongo, disconnectMongo } from '../../common/mongo';
import { createHealthCheckActivities } from '../../activities/mongo/health-checks';
import { createProbeActivities } from '../../activities/probes';
import { startServers } from '../harness/servers';

async function main() {
  const servers = await startServers();
  try {
    await connectMongo({ MONGODB_URI: servers.mongoUri('record') });
    const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
    const client = new Client({ connection: await Connection.connect({ address: servers.temporalAddress }) });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'record',
      workflowsPath: require.resolve('../../workflows'),
      activities: { ...createProbeActivities(), ...createHealthCheckActivities() },
    });
    const handle = await client.workflow.start('dependencyHealthCheck', { taskQueue: 'record', workflowId: 'recorded-health-check' });
    await worker.runUntil(handle.result());
    const history = await handle.fetchHistory();
    const out = path.join(__dirname, 'dependency-health-check.json');
    // Canonical proto3 JSON, the same form `temporal workflow show --output json` writes.
    writeFileSync(out, historyToJSON(history) + '\n');
    console.log(`wrote ${out}`);
    await nativeConnection.close();
    await client.connection.close();
    await disconnectMongo();
  } finally {
    await servers.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
