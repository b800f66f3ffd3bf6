/**
 * (a) The Java time-skipping test server, installed by infra/install.sh and handed to
 * @temporalio/testing as an existing binary (never its download). The SDK gives the server a hard
 * 5 s to answer; on a loaded 2-core CI machine that can flake, so creation is retried.
 */
import './quiet-sdk';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';
import { toolPath } from '../../infra/processes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** The test server has no --search-attribute flag, but implements the operator call to add them. */
async function registerSearchAttributes(env: TestWorkflowEnvironment) {
  const searchAttributes = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, KEYWORD]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

export async function createTimeSkippingEnv(attempts = 4): Promise<TestWorkflowEnvironment> {
  const path = toolPath('temporal-test-server');
  let lastError: unknown;
  for (let i = 1; i <= attempts; i++) {
    try {
      const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
      await registerSearchAttributes(env);
      return env;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500 * i));
    }
  }
  throw new Error(`time-skipping test server did not start after ${attempts} attempts: ${(lastError as Error)?.message}`);
}

/**
 * Workers for a test's own task queue and for `gohighlevel` (where the retry policies send every
 * GoHighLevel activity), both with the test's activities, running until `fn` settles.
 */
export async function runWithWorkers<T>(env: TestWorkflowEnvironment, taskQueue: string, activities: object, fn: () => Promise<T>): Promise<T> {
  const { Worker } = await import('@temporalio/worker');
  const make = (q: string) => Worker.create({ connection: env.nativeConnection, taskQueue: q, workflowsPath: require.resolve('../../workflows'), activities });
  const [main, crm] = await Promise.all([make(taskQueue), make('gohighlevel')]);
  return crm.runUntil(main.runUntil(fn));
}
