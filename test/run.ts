/**
 * The whole test suite: starts one real Temporal dev server and one FerretDB for the run, then
 * runs every test/**\/*.test.ts with node's test runner against them and stops them at the end.
 * Usage: npm test [-- FILTER...]   (FILTER: substrings of test file paths)
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../infra/processes';
import { ENV_MONGO, ENV_TEMPORAL, startServers } from './harness/servers';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'bench' ? [] : testFiles(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const files = testFiles(path.join(ROOT, 'test'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    console.error(`no test files match ${filters.join(' ')}`);
    process.exit(1);
  }
  const started = Date.now();
  const servers = await startServers();
  console.log(`[test] Temporal dev server ${servers.temporalAddress}, FerretDB ${servers.mongoAddress} (${Date.now() - started} ms); ${files.length} files`);
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files.map((f) => path.relative(ROOT, f))],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, [ENV_TEMPORAL]: servers.temporalAddress, [ENV_MONGO]: servers.mongoAddress } },
  );
  const stopAndExit = async (code: number) => {
    await servers.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code, signal) => void stopAndExit(code ?? (signal ? 1 : 0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
