/**
 * Retryable writes are off only for the embedded FerretDB (issue 19): its connection string gets
 * `retryWrites=false`; a MongoDB string (replica set, Atlas, a remote host) is left alone, so the
 * driver keeps its default (on). Checked on the driver's own parsing of the final string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { ferretDbUri, isEmbeddedMongoUri } from '../../infra/processes';
import { mongoDriverOptions } from '../../domain/persistence/connection';

/** What the driver would do with this string and the options the code passes. */
const retryWrites = (uri: string) => new MongoClient(uri, mongoDriverOptions()).options.retryWrites;
/** The string the processes get: npm start rewrites the embedded one only. */
const effective = (uri: string) => (isEmbeddedMongoUri(uri) ? ferretDbUri(uri) : uri);

test('the embedded FerretDB URI turns retryable writes off, keeping the rest of the string', () => {
  for (const uri of ['mongodb://127.0.0.1:27017/pagosflow', 'mongodb://localhost:27018/x?appName=pf', 'mongodb://[::1]:27017/x']) {
    assert.equal(isEmbeddedMongoUri(uri), true, uri);
    assert.equal(retryWrites(effective(uri)), false, uri);
  }
  const kept = new URL(ferretDbUri('mongodb://127.0.0.1:27017/pagosflow?appName=pf'));
  assert.deepEqual([kept.pathname, kept.searchParams.get('appName'), kept.searchParams.get('retryWrites')], ['/pagosflow', 'pf', 'false']);
  assert.equal(new URL(ferretDbUri('mongodb://127.0.0.1/x?retryWrites=true')).searchParams.get('retryWrites'), 'true', 'an explicit choice is kept');
});

test('MongoDB URIs keep the driver default: retryable writes on', () => {
  for (const uri of [
    'mongodb://mongo:27017/pagosflow?replicaSet=rs0',
    'mongodb://m1:27017,m2:27017,m3:27017/pagosflow?replicaSet=rs0',
    'mongodb://127.0.0.1:27017/pagosflow?replicaSet=rs0',
    'mongodb://127.0.0.1:27017,127.0.0.1:27018/pagosflow',
    'mongodb+srv://user:pw@cluster0.example.mongodb.net/pagosflow',
  ]) {
    assert.equal(isEmbeddedMongoUri(uri), false, uri);
    if (!uri.startsWith('mongodb+srv')) assert.equal(retryWrites(effective(uri)), true, uri); // srv needs DNS to parse
    assert.equal(effective(uri), uri, 'left untouched');
  }
  assert.equal('retryWrites' in mongoDriverOptions(), false, 'the code sets no retryable-writes option');
});
