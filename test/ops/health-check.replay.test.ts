import '../harness/quiet-sdk';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';

const history = JSON.parse(readFileSync(path.join(__dirname, '../histories/dependency-health-check.json'), 'utf8'));

test('replay: dependencyHealthCheck still replays its recorded history', async () => {
  await Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, 'recorded-health-check');
});

test('replay: a workflow that changed its steps is caught as non-deterministic', async () => {
  await assert.rejects(
    Worker.runReplayHistory({ workflowsPath: require.resolve('../fixtures/changed-health-check') }, history, 'recorded-health-check'),
    (err: unknown) => err instanceof DeterminismViolationError,
  );
});
