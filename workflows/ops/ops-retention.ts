import { proxyActivities } from '@temporalio/workflow';
import type { createBackupActivities } from '../../activities/backup/activities';
import type { createRetentionActivities } from '../../activities/mongodb/ops';
import type { OpsRetentionReport } from '../../contracts/ops';
import { databaseStep } from '../retry-policies';

const retention = proxyActivities<ReturnType<typeof createRetentionActivities>>(databaseStep);
const backups = proxyActivities<ReturnType<typeof createBackupActivities>>(databaseStep);

/** Daily (its Schedule): expire ops data past its retention, and backups past theirs. */
export async function opsRetention(): Promise<OpsRetentionReport> {
  const data = await retention.cleanupOpsData();
  const kept = await backups.applyBackupRetention();
  return { data, backups: kept };
}
