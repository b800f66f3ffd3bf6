/**
 * (a) The Java time-skipping test server, installed by infra/install.sh and handed to
 * @temporalio/testing as an existing binary (never its download). The SDK gives the server a hard
 * 5 s to answer; on a loaded 2-core CI machine that can flake, so creation is retried.
 */
import './quiet-sdk';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { toolPath } from '../../infra/processes';

export async function createTimeSkippingEnv(attempts = 4): Promise<TestWorkflowEnvironment> {
  const path = toolPath('temporal-test-server');
  let lastError: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500 * i));
    }
  }
  throw new Error(`time-skipping test server did not start after ${attempts} attempts: ${(lastError as Error)?.message}`);
}
