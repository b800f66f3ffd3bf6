/**
 * Typed references to workflows, for everything that starts one (API routes, domain services,
 * Schedules). A reference is checked against the workflow bundle's exports through a type-only
 * import (erased at build: no workflow code is loaded by the caller), so renaming a workflow
 * function breaks the build at every starter instead of failing at run time. Callers pass the
 * function's type to the client: `client.workflow.start<WorkflowOf<typeof ref>>(ref.type, ...)`.
 */
import type * as Workflows from '../workflows';
import type { TaskQueueName } from './task-queues';

type WorkflowName = keyof typeof Workflows;

export interface WorkflowRef<N extends WorkflowName = WorkflowName> {
  /** The workflow type: the exported function's name. */
  readonly type: N;
  /** Where its worker polls. */
  readonly taskQueue: TaskQueueName;
}

/** The workflow function a reference names (its arguments and result type the client call). */
export type WorkflowOf<R extends WorkflowRef> = (typeof Workflows)[R['type']];

export const workflowRef = <N extends WorkflowName>(type: N, taskQueue: TaskQueueName): WorkflowRef<N> => ({ type, taskQueue });
