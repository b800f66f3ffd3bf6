import { proxyActivities } from '@temporalio/workflow';
import type { createBackupActivities } from '../../activities/backup/activities';
import type { createRetentionActivities } from '../../activities/mongodb/ops';
import { databaseStep } from '../retry-policies';

const retention = proxyActivities<ReturnType<typeof createRetentionActivities>>(databaseStep);
const backups = proxyActivities<ReturnType<typeof createBackupActivities>>(databaseStep);

type OpsDataCleanup = Awaited<ReturnType<ReturnType<typeof createRetentionActivities>['cleanupOpsData']>>;

/** Daily (its Schedule): expire ops data past its retention, and backups past theirs. */
export async function opsRetention(): Promise<{ data: OpsDataCleanup; backups: { kept: string[]; deleted: string[] } }> {
  const data = await retention.cleanupOpsData();
  const kept = await backups.applyBackupRetention();
  return { data, backups: kept };
}
