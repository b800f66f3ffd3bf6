import { mongoPing, timeProbe, type ProbeResult } from './dependencies';

/** Activities that measure the health of the systems the product depends on. */
export function createProbeActivities() {
  return {
    async probeMongo(): Promise<ProbeResult> {
      return timeProbe('mongodb', mongoPing);
    },
  };
}
