/**
 * Replay guard: every recorded history under test/histories/ must still replay against the current
 * workflow code. A change that breaks one is non-deterministic for executions already running.
 */
import './harness/quiet-sdk';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there are recorded histories to guard', () => {
  assert.ok(histories.length >= 2, `only ${histories.length} histories in ${dir}`);
});

for (const file of histories) {
  test(`replay: ${file}`, async () => {
    const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, file);
  });
}

test('replay catches a workflow that changed its steps (the guard can fail)', async () => {
  const history = JSON.parse(readFileSync(path.join(dir, 'dependency-health-check.v1.json'), 'utf8'));
  await assert.rejects(
    Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/changed-health-check') }, history, 'changed'),
    (err: unknown) => err instanceof DeterminismViolationError,
  );
});
