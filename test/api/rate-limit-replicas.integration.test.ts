/**
 * Rate limits shared by API replicas (issue 19): two API instances on one FerretDB database
 * together allow exactly the limit (FerretDB's `$inc` would lose concurrent increments; the store
 * claims one slot per request by `_id` instead), and the 429 keeps its JSON body and headers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { rateLimitCollectionName, RATE_LIMIT_COLLECTION_PREFIX } from '../../api/rate-limit-store';
import { inProcessApi } from '../harness/in-process-api';
import { integrationServers, type IntegrationServers } from '../harness/servers';
import { http } from '../harness/stack';

const LIMIT = 40;
let servers: IntegrationServers;
const app = inProcessApi('replicas-admin-key-0123456789');
before(async () => {
  servers = await integrationServers();
  await connectMongo({ MONGODB_URI: servers.mongoUri('ratelimit') });
});
after(async () => {
  await disconnectMongo();
  await servers.stop();
});

test(`two API replicas share one limit: ${LIMIT} per hour per IP across both, exactly, under concurrent load`, async () => {
  const env = { RATE_LIMIT_GENERAL_PER_HOUR: String(LIMIT) };
  const [a, b] = [await app(env), await app(env)];
  for (let attempt = 0; ; attempt++) {
    const hour = Math.floor(Date.now() / 3_600_000);
    // 3 × the limit at once, alternating between the replicas.
    const answers = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => http('GET', `${i % 2 ? a : b}/api/v1/products/none-${attempt}`)));
    if (Math.floor(Date.now() / 3_600_000) !== hour && attempt === 0) continue; // straddled the window's end: once more
    const limited = answers.filter((r) => r.status === 429);
    assert.equal(answers.length - limited.length, LIMIT, `allowed: ${answers.map((r) => r.status).join(',')}`);
    const one = limited[0];
    assert.equal(one.body.error.code, 'rate_limited');
    assert.match(one.body.error.message, new RegExp(`limit ${LIMIT} per 3600 s`));
    const retryAfter = Number(one.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.match(one.headers.get('ratelimit-policy') ?? '', new RegExp(`q=${LIMIT}`));
    assert.match(one.headers.get('ratelimit') ?? '', /r=0/);
    // Both replicas refuse from now on, whichever answered the last allowed request.
    assert.equal((await http('GET', `${a}/api/v1/products/x`)).status, 429);
    assert.equal((await http('GET', `${b}/api/v1/products/x`)).status, 429);
    break;
  }
  // One slot per allowed request, nothing for refused ones.
  const slots = await mongoose.connection.db!.collection(rateLimitCollectionName(Date.now())).countDocuments();
  assert.equal(slots, LIMIT);
  const names = (await mongoose.connection.db!.listCollections().toArray()).map((c) => c.name).filter((n) => n.startsWith(RATE_LIMIT_COLLECTION_PREFIX));
  assert.ok(names.length >= 1);
});
