/** MongoDB activities of the ops workflows: health records, incidents, metrics, retention, the weekly digest's claim. */
import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { healthCheckStore } from '../../domain/ops/health-checks';
import { incidentStore } from '../../domain/ops/incidents';
import { metricsSnapshots } from '../../domain/ops/metrics-snapshot';
import { retentionJobs } from '../../domain/ops/retention';
import { weeklyDigestStore } from '../../domain/ops/weekly-digest';

export const createHealthCheckActivities = (config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) => healthCheckStore(config);
export const createIncidentActivities = () => incidentStore();
export const createMetricsActivities = (config: Pick<Config, 'SCHEDULE_TIMEZONE' | 'ALERT_RULES'>) => metricsSnapshots(config);
export const createRetentionActivities = () => retentionJobs();
export const createWeeklyDigestStoreActivities = (config: Pick<Config, 'SCHEDULE_TIMEZONE'>) => weeklyDigestStore(config);
