/**
 * Every runbook link the product can produce points at a page that exists: the pages of incident
 * notifications (every configured rule and every business-workflow rule) and /health/deep's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ALERT_RULE_NAMES } from '../../common/ops-policy';
import { BUSINESS_ALERT_RULES, runbookFor } from '../../contracts/ops';
import { ROOT } from '../../infra/processes';

test('every alert rule links a runbook page that exists', () => {
  for (const rule of [...ALERT_RULE_NAMES, ...BUSINESS_ALERT_RULES]) {
    const page = runbookFor(rule);
    assert.ok(existsSync(path.join(ROOT, page)), `${rule} → ${page} does not exist`);
  }
  assert.equal(runbookFor('webhook_processing_failed'), 'docs/runbooks/failed-step.md');
  assert.equal(runbookFor('database_down'), 'docs/runbooks/database-down.md');
});

test('every rule a workflow raises is a known rule (so its page exists and windows can name it)', () => {
  const known = new Set<string>([...ALERT_RULE_NAMES, ...BUSINESS_ALERT_RULES]);
  const sources = ['workflows', 'domain', 'workers'].flatMap((dir) => listTs(path.join(ROOT, dir)));
  for (const file of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(/rule: '([a-z_]+)'/g)) assert.ok(known.has(m[1]), `${path.relative(ROOT, file)} raises unknown rule ${m[1]}`);
  }
});

function listTs(dir: string): string[] {
  const { readdirSync, statSync } = require('node:fs') as typeof import('node:fs');
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith('.ts') ? [p] : [];
  });
}
