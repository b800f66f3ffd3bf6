/**
 * What one workflow execution costs, read from its real history: the number of history events
 * (every one a persistence write) and Temporal Cloud's billable actions, counted event by event
 * with the rules of https://docs.temporal.io/cloud/actions (as of 2026-12):
 * - workflow started: 1 (search attributes given at start are free; a signal-with-start is 1 in all);
 * - search-attribute upsert: 1 per UpsertWorkflowSearchAttributes command, however many keys
 *   (one touching only TemporalChangeVersion is free);
 * - activity: 1 when scheduled, plus 1 per retry (ActivityTaskStarted's `attempt` − 1);
 * - local activities: all markers recorded by one workflow task are 1 action (we count patch
 *   markers in that group too: the docs bill RecordMarker commands, not only local activities), plus
 *   WorkflowTaskCompleted's `meteringMetadata.nonfirstLocalActivityExecutionAttempts`;
 * - timer started: 1; update accepted: 1; child workflow started: 2; execution options updated: 1;
 *   Nexus operation scheduled or cancel requested: 1;
 * - signal: 1 per signal sent. A signal from another workflow is counted in the *sender's* history
 *   (SignalExternalWorkflowExecutionInitiated, whether or not it reaches a workflow) and not again
 *   where it lands; a signal from a client is counted where it lands (WorkflowExecutionSignaled).
 * Not in any history, so not counted here: queries (1 each when a worker answers one; the product
 * itself sends none on these paths), activity heartbeats that reach the server, rejected updates.
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const E = temporal.api.enums.v1.EventType;

export interface HistoryCost {
  events: number;
  actions: number;
  workflowTasks: number;
  /** Actions by kind, for the table. */
  byKind: Record<string, number>;
}

const num = (x: unknown): number => (x == null ? 0 : typeof x === 'number' ? x : Number(String(x)));

export function historyCost(history: History): HistoryCost {
  const events = history.events ?? [];
  const byKind: Record<string, number> = {};
  let actions = 0;
  let workflowTasks = 0;
  const add = (kind: string, n = 1) => {
    if (n <= 0) return;
    byKind[kind] = (byKind[kind] ?? 0) + n;
    actions += n;
  };
  const markerTasks = new Set<number>();
  events.forEach((ev, i) => {
    switch (ev.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflow started');
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        // Signal-with-start: the signal lands right after the start, and the pair is one action.
        if (i === 1 && events[0].eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) break;
        if (ev.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId) break;
        add('signal');
        break;
      case E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signal');
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(ev.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.length > 0 && keys.every((k) => k === 'TemporalChangeVersion')) break;
        add('search-attribute upsert');
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activity');
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activity retry', num(ev.activityTaskStartedEventAttributes?.attempt) - 1);
        break;
      case E.EVENT_TYPE_MARKER_RECORDED: {
        const task = num(ev.markerRecordedEventAttributes?.workflowTaskCompletedEventId);
        if (!markerTasks.has(task)) {
          markerTasks.add(task);
          add('markers (local activities, patches)');
        }
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        workflowTasks++;
        add('local activity retry', num(ev.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts));
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child workflow', 2);
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('options updated');
        break;
      case E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
      case E.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
        add('nexus');
        break;
    }
  });
  return { events: events.length, actions, workflowTasks, byKind };
}

/** The cost of a business process: the sum over the executions it ran. */
export function sumCosts(costs: HistoryCost[]): HistoryCost {
  const byKind: Record<string, number> = {};
  for (const c of costs) for (const [k, v] of Object.entries(c.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
  return {
    events: costs.reduce((s, c) => s + c.events, 0),
    actions: costs.reduce((s, c) => s + c.actions, 0),
    workflowTasks: costs.reduce((s, c) => s + c.workflowTasks, 0),
    byKind,
  };
}

export const describeKinds = (c: HistoryCost) =>
  Object.entries(c.byKind)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
