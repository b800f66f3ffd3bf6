/**
 * npm run restore -- <archive> [--dry-run] [--drop] [--target-db <name>]
 *
 * Checks a backup archive against its manifest (counts and SHA-256 per collection) and restores it
 * into MONGODB_URI's database (or --target-db), then compares the result with the manifest.
 * --dry-run only checks the archive and reports what would be restored and replaced.
 * A collection that already holds documents is refused unless --drop.
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../common/config';
import { BackupError, compareWithManifest, openArchive, restoreInto } from '../domain/ops/backup-archive';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, drop: { type: 'boolean', default: false }, 'target-db': { type: 'string' } },
  });
  const archive = positionals[0];
  if (!archive) {
    console.error('usage: npm run restore -- <archive.tar.gz> [--dry-run] [--drop] [--target-db <name>]');
    return 2;
  }
  const config = loadConfig();
  const opened = await openArchive(archive);
  const client = await new MongoClient(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    const db = client.db(values['target-db']);
    const m = opened.manifest;
    console.log(`archive ${archive}: ${m.collections.length} collections, ${m.collections.reduce((n, c) => n + c.count, 0)} documents, taken ${m.createdAt} from ${m.database}; checksums OK`);
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const c of m.collections) {
      const current = existing.has(c.name) ? await db.collection(c.name).estimatedDocumentCount() : 0;
      console.log(`  ${c.name.padEnd(28)} ${String(c.count).padStart(9)} documents${current > 0 ? `  (replaces ${current} in ${db.databaseName})` : ''}`);
    }
    if (values['dry-run']) {
      console.log(`dry run: nothing written to ${db.databaseName}`);
      return 0;
    }
    await restoreInto(db, opened, { drop: values.drop });
    const check = await compareWithManifest(db, m);
    if (!check.identical) {
      console.error(`restored, but ${db.databaseName} differs from the archive:\n  ${check.differences.join('\n  ')}`);
      return 1;
    }
    console.log(`restored into ${db.databaseName}: every collection matches the manifest`);
    return 0;
  } finally {
    await opened.close();
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof BackupError ? `restore refused: ${err.message}` : err);
    process.exit(1);
  },
);
