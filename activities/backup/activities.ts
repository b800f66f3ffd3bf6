import { ApplicationFailure } from '@temporalio/activity';
import { backupJobs, BackupDirUnusable, type BackupConfig } from '../../domain/ops/backups';

/** The nightly backup's steps (domain/ops/backups.ts), as activities: files on disk and MongoDB. */
export function createBackupActivities(config: BackupConfig) {
  const jobs = backupJobs(config);
  return {
    ...jobs,
    async createBackup() {
      try {
        return await jobs.createBackup();
      } catch (err) {
        // A backup folder that is not ours to write will not heal in minutes: fail without retries.
        if (err instanceof BackupDirUnusable) throw ApplicationFailure.nonRetryable(err.message, 'BackupDirUnusable');
        throw err;
      }
    },
  };
}
