/**
 * Cooldown semantics (issue 16's "silence"): after a critical incident recovers, the same outage
 * again pages at once; only flapping (re-opened FLAP_LIMIT times within the cooldown) is held back.
 * Lower severities keep the plain cooldown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooldownDecision, FLAP_LIMIT } from '../../domain/ops/alerting';

const MIN = 60_000;
const t0 = new Date('2026-12-01T10:00:00Z');
const at = (m: number) => new Date(t0.getTime() + m * MIN);

test('outage → recovery → outage 5 min later: a critical dependency pages again at once', () => {
  const d = cooldownDecision({ severity: 'critical', now: at(5), cooldownMs: 30 * MIN, lastOpenedAt: t0, reopenedAt: [] });
  assert.deepEqual(d, { suppress: false, reopenedAt: [at(5)] });
});

test('flapping: past FLAP_LIMIT re-openings within the cooldown the next one is held back, then pages again once the cooldown passes', () => {
  let reopenedAt: Date[] = [];
  let lastOpenedAt = t0;
  const outcomes: boolean[] = [];
  for (let i = 1; i <= FLAP_LIMIT + 1; i++) {
    const d = cooldownDecision({ severity: 'critical', now: at(i * 3), cooldownMs: 30 * MIN, lastOpenedAt, reopenedAt });
    outcomes.push(d.suppress);
    reopenedAt = d.reopenedAt;
    if (!d.suppress) lastOpenedAt = at(i * 3);
  }
  assert.deepEqual(outcomes, [...Array(FLAP_LIMIT).fill(false), true]);
  const later = cooldownDecision({ severity: 'critical', now: at(80), cooldownMs: 30 * MIN, lastOpenedAt, reopenedAt });
  assert.equal(later.suppress, false, 'after the cooldown the flapping is forgotten');
  assert.deepEqual(later.reopenedAt, []);
});

test('lower severities keep the cooldown; outside it everything pages', () => {
  assert.equal(cooldownDecision({ severity: 'high', now: at(5), cooldownMs: 30 * MIN, lastOpenedAt: t0, reopenedAt: [] }).suppress, true);
  assert.equal(cooldownDecision({ severity: 'high', now: at(31), cooldownMs: 30 * MIN, lastOpenedAt: t0, reopenedAt: [] }).suppress, false);
  assert.equal(cooldownDecision({ severity: 'medium', now: at(1), cooldownMs: 30 * MIN, reopenedAt: [] }).suppress, false, 'never opened before');
});
