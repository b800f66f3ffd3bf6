/**
 * Database backups as plain, inspectable archives: `pagosflow-<UTC time>.tar.gz` holding one
 * canonical Extended JSON line per document (`<collection>.jsonl`, in `_id` order) and a
 * `manifest.json` with each collection's count, SHA-256 and indexes. The same serialiser reads a
 * restored copy back, so "identical" means identical bytes, collection by collection.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { BSON, type Db } from 'mongodb';
import * as tar from 'tar';

export const BACKUP_FORMAT = 'pagos-flow-backup/1';
/** Per-day idempotency claims of the metric counters and the API's rate-limit slots: transient by design, not backed up. */
const SKIPPED = (name: string) => name.startsWith('system.') || name.startsWith('metric_claims_') || name.startsWith('rate_limits_');

export interface CollectionManifest {
  name: string;
  count: number;
  sha256: string;
  bytes: number;
  indexes: { name: string; key: Record<string, unknown>; unique?: boolean; sparse?: boolean }[];
}
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  database: string;
  createdAt: string;
  collections: CollectionManifest[];
}

const line = (doc: unknown) => `${BSON.EJSON.stringify(doc as never, { relaxed: false })}\n`;

async function collectionNames(db: Db): Promise<string[]> {
  const list = await db.listCollections({}, { nameOnly: true }).toArray();
  return list.map((c) => c.name).filter((n) => !SKIPPED(n)).sort();
}

/** Streams one collection's documents (in `_id` order) through `sink`, hashing as it goes. */
async function serialise(db: Db, name: string, sink?: (chunk: string) => Promise<void> | void): Promise<{ count: number; sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let count = 0;
  let bytes = 0;
  for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
    const l = line(doc);
    hash.update(l);
    bytes += Buffer.byteLength(l);
    count++;
    await sink?.(l);
  }
  return { count, sha256: hash.digest('hex'), bytes };
}

async function indexesOf(db: Db, name: string): Promise<CollectionManifest['indexes']> {
  const list = await db.collection(name).indexes();
  return list
    .filter((i) => i.name !== '_id_')
    .map((i) => ({ name: i.name!, key: i.key, ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) }));
}

export const archiveName = (at: Date) => `pagosflow-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar.gz`;

/** Dumps every collection of `db` into `<dir>/pagosflow-<time>.tar.gz`. */
export async function dumpDatabase(db: Db, dir: string, at = new Date()): Promise<{ archive: string; manifest: BackupManifest }> {
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'pagosflow-backup-'));
  try {
    const collections: CollectionManifest[] = [];
    for (const name of await collectionNames(db)) {
      const out = createWriteStream(join(work, `${name}.jsonl`));
      const summary = await serialise(db, name, async (chunk) => {
        if (!out.write(chunk)) await once(out, 'drain');
      });
      out.end();
      await once(out, 'finish');
      collections.push({ name, ...summary, indexes: await indexesOf(db, name) });
    }
    const manifest: BackupManifest = { format: BACKUP_FORMAT, database: db.databaseName, createdAt: at.toISOString(), collections };
    await writeFile(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const archive = join(dir, archiveName(at));
    const partial = `${archive}.partial`;
    await tar.c({ gzip: true, file: partial, cwd: work, portable: true }, ['manifest.json', ...collections.map((c) => `${c.name}.jsonl`)]);
    await rename(partial, archive);
    return { archive, manifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export class BackupError extends Error {}

/** Unpacks an archive and checks every file against the manifest. Returns the unpacked folder. */
export async function openArchive(archive: string): Promise<{ dir: string; manifest: BackupManifest; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pagosflow-restore-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    await tar.x({ file: archive, cwd: dir, strict: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    if (manifest.format !== BACKUP_FORMAT) throw new BackupError(`${basename(archive)}: unknown format ${manifest.format}`);
    for (const c of manifest.collections) {
      const hash = createHash('sha256');
      let count = 0;
      for await (const l of createInterface({ input: createReadStream(join(dir, `${c.name}.jsonl`)), crlfDelay: Infinity })) {
        hash.update(`${l}\n`);
        count++;
      }
      const sha256 = hash.digest('hex');
      if (count !== c.count || sha256 !== c.sha256) throw new BackupError(`${basename(archive)}: ${c.name} does not match its manifest (count ${count}/${c.count}, sha256 ${sha256.slice(0, 12)}…/${c.sha256.slice(0, 12)}…)`);
    }
    return { dir, manifest, close };
  } catch (err) {
    await close();
    throw err instanceof BackupError ? err : new BackupError(`${basename(archive)}: ${(err as Error).message}`);
  }
}

const INSERT_BATCH = 1000;

/**
 * Loads a checked archive into `db`. Refuses a collection that already holds documents unless
 * `drop` (then it is dropped first). Indexes are recreated.
 */
export async function restoreInto(db: Db, opened: { dir: string; manifest: BackupManifest }, opts: { drop: boolean }): Promise<{ collections: { name: string; count: number }[] }> {
  const existing = new Set(await collectionNames(db));
  for (const c of opened.manifest.collections) {
    if (existing.has(c.name) && (await db.collection(c.name).estimatedDocumentCount()) > 0 && !opts.drop) {
      throw new BackupError(`collection ${c.name} of ${db.databaseName} is not empty; restore with --drop to replace it`);
    }
  }
  const restored: { name: string; count: number }[] = [];
  for (const c of opened.manifest.collections) {
    if (existing.has(c.name)) await db.collection(c.name).drop();
    await db.createCollection(c.name);
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length) await db.collection(c.name).insertMany(batch as never[], { ordered: true });
      batch = [];
    };
    for await (const l of createInterface({ input: createReadStream(join(opened.dir, `${c.name}.jsonl`)), crlfDelay: Infinity })) {
      batch.push(BSON.EJSON.parse(l, { relaxed: false }) as Record<string, unknown>);
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
    for (const i of c.indexes) await db.collection(c.name).createIndex(i.key as never, { name: i.name, ...(i.unique ? { unique: true } : {}), ...(i.sparse ? { sparse: true } : {}) });
    restored.push({ name: c.name, count: c.count });
  }
  return { collections: restored };
}

/** Compares a database with a manifest, byte for byte per collection (same serialiser as the dump). */
export async function compareWithManifest(db: Db, manifest: BackupManifest): Promise<{ identical: boolean; differences: string[] }> {
  const differences: string[] = [];
  const names = new Set(await collectionNames(db));
  for (const c of manifest.collections) {
    if (!names.has(c.name)) {
      if (c.count > 0) differences.push(`${c.name}: missing`);
      continue;
    }
    const s = await serialise(db, c.name);
    if (s.count !== c.count) differences.push(`${c.name}: ${s.count} documents, manifest has ${c.count}`);
    else if (s.sha256 !== c.sha256) differences.push(`${c.name}: same count, different content`);
  }
  return { identical: differences.length === 0, differences };
}

/**
 * Retention: the newest `keepDaily` archives, plus the first archive of each of the newest
 * `keepMonthly` months. Everything else goes (and leftovers of interrupted dumps).
 */
export async function applyRetention(dir: string, keepDaily: number, keepMonthly: number): Promise<{ kept: string[]; deleted: string[] }> {
  const files = (await readdir(dir).catch(() => [] as string[])).sort();
  const archives = files.filter((f) => /^pagosflow-\d{8}T\d{6}Z\.tar\.gz$/.test(f));
  const keep = new Set(archives.slice(-keepDaily));
  const firstOfMonth = new Map<string, string>();
  for (const f of archives) {
    const month = f.slice('pagosflow-'.length, 'pagosflow-'.length + 6);
    if (!firstOfMonth.has(month)) firstOfMonth.set(month, f);
  }
  if (keepMonthly > 0) for (const f of [...firstOfMonth.values()].slice(-keepMonthly)) keep.add(f);
  const deleted: string[] = [];
  for (const f of files) {
    const stale = f.endsWith('.partial') && Date.now() - (await stat(join(dir, f))).mtimeMs > 86_400_000;
    if ((archives.includes(f) && !keep.has(f)) || stale) {
      await unlink(join(dir, f));
      deleted.push(f);
    }
  }
  return { kept: archives.filter((f) => keep.has(f)), deleted };
}
