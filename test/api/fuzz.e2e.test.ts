/**
 * Fuzzing from the API's own OpenAPI document (Schemathesis, pinned in infra/install.sh) against
 * the running stack, three times: as admin, as viewer and anonymous. Fixed seed, a bounded number
 * of examples per operation. Every run must end with no server error and no failure of response
 * schema conformance, status-code conformance or "negative data accepted".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../infra/processes';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const run = promisify(execFile);
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
const ADMIN = 'fuzz-admin-api-key-000001';
let viewerKey: string;

const CHECKS = ['not_a_server_error', 'response_schema_conformance', 'status_code_conformance', 'negative_data_rejection', 'content_type_conformance'];
const EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '15';

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: ADMIN } });
  ({ stack } = ctx);
  const key = await http('POST', `${stack.apiUrl}/api/v1/api-keys`, { headers: { authorization: `Bearer ${ADMIN}` }, body: { name: 'fuzz viewer', role: 'viewer' } });
  assert.equal(key.status, 201, key.text);
  viewerKey = key.body.key;
});
after(async () => {
  await ctx?.stop();
});

async function fuzz(as: string, headers: string[]) {
  const args = [
    'run',
    `${stack.apiUrl}/openapi.json`,
    '--url',
    stack.apiUrl,
    '--checks',
    CHECKS.join(','),
    '--seed',
    '14',
    '--max-examples',
    EXAMPLES,
    '--generation-deterministic',
    '--request-timeout',
    '20',
    '--continue-on-failure',
    '--no-color',
    // The webhook endpoint answers by its signature, which no generated request carries.
    '--exclude-path',
    '/webhooks/mercadopago',
    ...headers.flatMap((h) => ['--header', h]),
  ];
  const out = await run(path.join(ROOT, '.venv/bin/schemathesis'), args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 }).then(
    (r) => ({ code: 0, text: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, text: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  assert.equal(out.code, 0, `schemathesis as ${as}:\n${out.text.slice(-20_000)}`);
}

test('fuzzing as admin: no server error, responses conform', { timeout: 900_000 }, () => fuzz('admin', [`Authorization: Bearer ${ADMIN}`]));
test('fuzzing as viewer: no server error, responses conform', { timeout: 900_000 }, () => fuzz('viewer', [`Authorization: Bearer ${viewerKey}`]));
test('fuzzing anonymous: no server error, responses conform', { timeout: 900_000 }, () => fuzz('anonymous', []));
