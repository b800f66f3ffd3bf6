/**
 * Imported first by the harness modules: the SDK logs at WARN (TEST_SDK_LOG_LEVEL to change) so
 * test output stays readable. Must run before any Worker or Runtime use in the test process.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as LogLevel) ?? 'WARN') });
} catch {
  // Already installed by another harness module in this process.
}
