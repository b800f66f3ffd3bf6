/**
 * The self-hosted cluster's set-up inputs (infra/temporal/) agree with the code: the search
 * attributes setup-cluster.sh registers are exactly those of contracts/search-attributes.ts, and the
 * server config template keeps membership ports in PostgreSQL's smallint range. The tier itself
 * (test/production/) runs the script for real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_SEARCH_ATTRIBUTES, devServerSearchAttributeArgs } from '../../contracts/search-attributes';
import { writeServerConfig } from '../harness/production-tier';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

test('setup-cluster.sh registers exactly the search attributes of contracts/search-attributes.ts, with their types', () => {
  const listed = readFileSync(path.join(ROOT, 'infra/temporal/search-attributes.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/).join('='));
  const declared = devServerSearchAttributeArgs().filter((_, i) => i % 2 === 1);
  assert.equal(declared.length, ALL_SEARCH_ATTRIBUTES.length);
  assert.deepEqual(listed, declared);
});

test('the server config template fills every placeholder, with membership ports below 32768 (smallint)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pagosflow-tconfig-'));
  try {
    await writeServerConfig(dir, 5432);
    const config = parse(readFileSync(path.join(dir, 'config', 'development.yaml'), 'utf8'));
    for (const svc of ['frontend', 'matching', 'history', 'worker']) {
      const rpc = config.services[svc].rpc;
      assert.ok(rpc.membershipPort > 0 && rpc.membershipPort < 32768, `${svc} membership port ${rpc.membershipPort}`);
      assert.ok(rpc.grpcPort > 0);
    }
    assert.equal(config.persistence.visibilityStore, 'postgres-visibility', 'SQL advanced visibility on PostgreSQL');
    assert.equal(config.persistence.datastores['postgres-visibility'].sql.pluginName, 'postgres12');
    assert.equal(config.persistence.datastores['postgres-default'].sql.connectAddr, '127.0.0.1:5432');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
