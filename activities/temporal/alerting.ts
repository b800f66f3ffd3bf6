/**
 * Alerting activities: raise and clear alerts through the one alert path (domain/ops/alerting.ts),
 * which starts or signals incident workflows with the worker's own Temporal client.
 */
import { Context } from '@temporalio/activity';
import type { AlertToRaise } from '../../contracts/ops';
import { alerting, type AlertingConfig } from '../../domain/ops/alerting';

export function createAlertingActivities(config: AlertingConfig) {
  const service = () => alerting(config, Context.current().client);
  type Service = ReturnType<typeof alerting>;
  return {
    raiseAlert: (a: AlertToRaise) => service().raiseAlert(a),
    clearAlert: (input: { dedupKey: string; note: string }) => service().clearAlert(input),
    sweepAlerts: () => service().sweepAlerts(),
    /** Before `one-alert-path`: the same path, kept for executions recorded with these names. */
    recordAlert: (input: Parameters<Service['recordAlert']>[0]) => service().recordAlert(input),
    resolveAlert: (input: { dedupKey: string }) => service().resolveAlert(input),
  };
}
