import { Context } from '@temporalio/activity';
import type { ProbeResult } from '../../contracts/ops';
import { dependencyProbes, type ProbeConfig } from '../../domain/ops/probes';

/** The health monitor's probes, as activities (Temporal is probed through the worker's own client). */
export function createProbeActivities(config?: ProbeConfig) {
  const probes = dependencyProbes(config);
  return {
    probeMongo: (): Promise<ProbeResult> => probes.probeMongo(),
    probeTemporal: (): Promise<ProbeResult> => probes.probeTemporal(Context.current().client),
    probeMercadoPago: (): Promise<ProbeResult> => probes.probeMercadoPago(),
    probeGoHighLevel: (): Promise<ProbeResult> => probes.probeGoHighLevel(),
  };
}
