/** A worker process for the baseline workflow, so it runs under the same conditions as ours. */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main() {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: 'bench-noop',
    workflowsPath: require.resolve('./noop-workflows'),
    activities: { async noop() {} },
  });
  console.log('noop worker ready');
  await worker.run();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
