import type { TaskQueueName } from '../common/config';
import { createHealthCheckActivities } from '../activities/mongo/health-checks';
import { createProbeActivities } from '../activities/probes';

/** The activities each task queue's worker registers, grouped by the system they talk to. */
export function activitiesFor(queue: TaskQueueName): Record<string, (...args: any[]) => Promise<unknown>> {
  switch (queue) {
    case 'ops':
      return { ...createProbeActivities(), ...createHealthCheckActivities() };
    case 'webhooks':
    case 'orders':
    case 'commissions':
      return {};
  }
}
