import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { HealthCheck } from '../../domain/persistence/models/health-check';
import { createHealthCheckActivities } from '../../activities/mongodb/ops';
import { createProbeActivities } from '../../activities/probes';
import { integrationServers, uniqueName, type IntegrationServers } from '../harness/servers';

let servers: IntegrationServers;
before(async () => {
  servers = await integrationServers();
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

test('worker + workflow + activity round trip on the real dev server writes through mongoose to FerretDB', async () => {
  await connectMongo({ MONGODB_URI: servers.mongoUri('roundtrip') });
  const taskQueue = uniqueName('ops');
  const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
  const connection = await Connection.connect({ address: servers.temporalAddress });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: { ...createProbeActivities(), ...createHealthCheckActivities() },
    });
    const client = new Client({ connection });
    const workflowId = uniqueName('health-check');
    const snapshot = await worker.runUntil(client.workflow.execute('dependencyHealthCheck', { taskQueue, workflowId }));

    assert.equal(snapshot.status, 'ok');
    assert.equal(snapshot.probes[0].name, 'mongodb');
    const stored = await HealthCheck.findOne({ checkId: snapshot.checkId }).lean();
    assert.ok(stored, 'snapshot was not written to MongoDB');
    assert.equal(stored.status, 'ok');
    assert.equal(stored.probes[0].name, 'mongodb');
    assert.ok(stored.checkId.startsWith(`${workflowId}/`));

    // The execution is real and visible on the server (what the Web UI lists).
    const desc = await client.workflow.getHandle(workflowId).describe();
    assert.equal(desc.status.name, 'COMPLETED');
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
});
