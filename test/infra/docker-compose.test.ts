/**
 * There is no Docker engine on these machines, so the production-like compose file is checked by
 * parsing it: services, ports, and that every env name it sets is one the config module reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../common/config';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes';

const ROOT = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services as Record<string, any>;

test('compose has Temporal on Postgres, its UI, a MongoDB replica set, a mail catcher, the API and the worker', () => {
  for (const name of ['postgresql', 'temporal', 'temporal-ui', 'temporal-search-attributes', 'mongo', 'mailpit', 'api', 'worker']) {
    assert.ok(services[name], `service ${name} missing`);
  }
  assert.match(services.temporal.image, /^temporalio\/auto-setup:/);
  assert.equal(services.temporal.environment.DB, 'postgres12');
  assert.equal(services.temporal.environment.POSTGRES_SEEDS, 'postgresql');
  assert.ok(services.mongo.command.includes('--replSet'));
  assert.ok(services.temporal.ports.includes('7233:7233'));
  assert.ok(services['temporal-ui'].ports.some((p: string) => p.startsWith('8233:')));
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

test('every product search attribute is registered on the compose Temporal', () => {
  const script = services['temporal-search-attributes'].command.join(' ');
  for (const key of ALL_SEARCH_ATTRIBUTES) assert.match(script, new RegExp(`\\b${key.name}\\b`), `${key.name} not registered`);
});

test('.env.example documents every config variable, and only those', () => {
  const documented = readFileSync(path.join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=')[0]);
  assert.deepEqual([...documented].sort(), [...CONFIG_KEYS].sort());
});
