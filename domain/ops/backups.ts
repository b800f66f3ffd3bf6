import mongoose from 'mongoose';
import { resolve } from 'node:path';
import type { Config } from '../../common/config';
import { Heartbeat } from '../persistence/models/metric-count';
import { applyRetention, compareWithManifest, dumpDatabase, openArchive, restoreInto } from './backup-archive';

const PERMANENT_FS_ERRORS = ['ENOTDIR', 'EACCES', 'EROFS', 'EPERM', 'EEXIST'];

import type { BackupSummary } from '../../contracts/ops';

export type BackupConfig = Pick<Config, 'BACKUP_DIR' | 'BACKUP_KEEP_DAILY' | 'BACKUP_KEEP_MONTHLY'>;

/** The backup folder cannot be written (not a folder, not ours): retrying will not help. */
export class BackupDirUnusable extends Error {}


function db() {
  const d = mongoose.connection.db;
  if (!d || mongoose.connection.readyState !== 1) throw new Error('MongoDB is not connected');
  return d;
}

/** The nightly backup's steps: dump, verify by restoring into a scratch database, retention, heartbeat. */
export function backupJobs(config: BackupConfig) {
  const dir = resolve(config.BACKUP_DIR);
  return {
    async createBackup(): Promise<BackupSummary> {
      const { archive, manifest } = await dumpDatabase(db(), dir).catch((err: NodeJS.ErrnoException) => {
        // A backup folder that is not a folder, or not ours to write, will not heal in minutes.
        if (err.code && PERMANENT_FS_ERRORS.includes(err.code)) throw new BackupDirUnusable(`cannot write backups to ${dir}: ${err.message}`);
        throw err;
      });
      return {
        archive,
        collections: manifest.collections.length,
        documents: manifest.collections.reduce((n, c) => n + c.count, 0),
        bytes: manifest.collections.reduce((n, c) => n + c.bytes, 0),
        createdAt: manifest.createdAt,
      };
    },

    /** A backup counts only once it restores: into a scratch database, compared collection by collection. */
    async verifyBackup(input: { archive: string }): Promise<{ identical: boolean; differences: string[]; scratchDatabase: string }> {
      const opened = await openArchive(input.archive);
      const scratch = mongoose.connection.getClient().db(`${db().databaseName}_verify_${Date.now()}`);
      try {
        await restoreInto(scratch, opened, { drop: true });
        return { ...(await compareWithManifest(scratch, opened.manifest)), scratchDatabase: scratch.databaseName };
      } finally {
        await scratch.dropDatabase().catch(() => undefined);
        await opened.close();
      }
    },

    async applyBackupRetention(): Promise<{ kept: string[]; deleted: string[] }> {
      return applyRetention(dir, config.BACKUP_KEEP_DAILY, config.BACKUP_KEEP_MONTHLY);
    },

    /** The heartbeat_missed rule pages when this stops arriving. */
    async recordBackupHeartbeat(summary: BackupSummary): Promise<void> {
      const now = new Date();
      await Heartbeat.updateOne({ _id: 'backup' }, { $set: { lastAt: now, details: summary }, $setOnInsert: { firstExpectedAt: now } }, { upsert: true });
    },
  };
}
