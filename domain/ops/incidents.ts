import { Alert } from '../persistence/models/alert';
import { Incident, IncidentNotification } from '../persistence/models/incident';
import type { IncidentState, NotificationRequest } from '../../contracts/ops';

export const incidentDocId = (state: Pick<IncidentState, 'dedupKey' | 'openedAt'>) => `${state.dedupKey}@${state.openedAt}`;

/** MongoDB bookkeeping of the incident workflows (the API lists incidents from here). */
export function incidentStore() {
  return {
    async saveIncident(input: { workflowId: string; runId: string; state: IncidentState }): Promise<void> {
      const s = input.state;
      await Incident.updateOne(
        { _id: incidentDocId(s) },
        {
          $set: {
            ...s,
            workflowId: input.workflowId,
            runId: input.runId,
            openedAt: new Date(s.openedAt),
            lastAlertAt: new Date(s.lastAlertAt),
            acknowledgedAt: s.acknowledgedAt ? new Date(s.acknowledgedAt) : null,
            resolvedAt: s.resolvedAt ? new Date(s.resolvedAt) : null,
            updatedAt: new Date(),
          },
        },
        { upsert: true },
      );
      if (s.status === 'resolved' && s.resolvesWithMembers) {
        // A grouped incident ends when its executions recovered: so does the group's alert.
        const at = s.resolvedAt ? new Date(s.resolvedAt) : new Date();
        await Alert.updateOne({ _id: s.dedupKey, status: 'open' }, { $set: { status: 'resolved', resolvedAt: at, lastAt: at, incidentOpen: false } });
      }
    },

    /** One row per page attempt's final outcome; keyed so a retried write does not add a row. */
    async recordIncidentNotification(input: { workflowId: string; runId: string; request: NotificationRequest; outcome: 'sent' | 'failed'; recipient?: string; error?: string; at: string }): Promise<void> {
      const r = input.request;
      const _id = `${input.workflowId}:${input.runId}:${r.kind}:${r.level}:${r.channel}:${input.at}`;
      await IncidentNotification.updateOne(
        { _id },
        { $setOnInsert: { dedupKey: r.incident.dedupKey, workflowId: input.workflowId, channel: r.channel, kind: r.kind, level: r.level, recipient: input.recipient, outcome: input.outcome, error: input.error, at: new Date(input.at) } },
        { upsert: true },
      );
    },
  };
}
