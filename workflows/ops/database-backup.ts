import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { createBackupActivities } from '../../activities/backup/activities';
import type { createAlertingActivities } from '../../activities/temporal/alerting';
import type { BackupReport } from '../../contracts/ops';
import { alertingWithinAMinute, wholeDatabaseJob, databaseStep } from '../retry-policies';

const backup = proxyActivities<ReturnType<typeof createBackupActivities>>(wholeDatabaseJob);
const bookkeeping = proxyActivities<ReturnType<typeof createBackupActivities>>(databaseStep);
const alerting = proxyActivities<ReturnType<typeof createAlertingActivities>>(alertingWithinAMinute);

export const BACKUP_FAILED_KEY = 'backup-failed';


/**
 * The nightly verified backup (its Schedule: BACKUP_CRON in SCHEDULE_TIMEZONE): dump every
 * collection, restore the archive into a scratch database and compare, apply retention, then
 * report a heartbeat. Any failure opens the critical `backup_failed` incident and fails the run
 * (visible in the Web UI); the next good backup resolves it.
 */
export async function databaseBackup(): Promise<BackupReport> {
  try {
    const summary = await backup.createBackup();
    const check = await backup.verifyBackup({ archive: summary.archive });
    if (!check.identical) {
      throw ApplicationFailure.nonRetryable(`restored copy differs from the backup: ${check.differences.join('; ')}`, 'BackupNotVerified');
    }
    const retention = await backup.applyBackupRetention();
    await bookkeeping.recordBackupHeartbeat(summary);
    await alerting.clearAlert({ dedupKey: BACKUP_FAILED_KEY, note: `backup ${summary.archive} verified` });
    return { ...summary, verified: true, retention };
  } catch (err) {
    const reason = err instanceof ActivityFailure && err.cause ? err.cause.message : (err as Error).message;
    await alerting.raiseAlert({ dedupKey: BACKUP_FAILED_KEY, rule: 'backup_failed', title: 'Database backup failed', message: `The backup did not complete: ${reason}`, source: 'backup', details: { reason } });
    throw err;
  }
}
