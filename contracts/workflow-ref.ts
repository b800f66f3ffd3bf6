/**
 * Typed references to workflows, for everything that starts one (API routes, domain services,
 * Schedules): the workflow type, its task queue, and the workflow function's signature (a type
 * only, built from the contract types). Starters pass that signature to the client, so arguments
 * and results are checked: `client.workflow.start<WorkflowOf<typeof ref>>(ref.type, ...)`.
 * workflows/contracts-conformance.ts proves at build time that each reference names an exported
 * workflow with that signature, so renaming or changing a workflow function breaks the build at
 * its starters instead of failing at run time, and no starter imports workflow code.
 */
import type { Workflow } from '@temporalio/common';
import type { TaskQueueName } from './task-queues';

export interface WorkflowRef<N extends string = string, F extends Workflow = Workflow> {
  /** The workflow type: the exported function's name. */
  readonly type: N;
  /** Where its worker polls. */
  readonly taskQueue: TaskQueueName;
  /** The workflow function's signature: a type carrier, never set at run time. */
  readonly signature?: F;
}

/** The signature of the workflow a reference names. */
export type WorkflowOf<R> = R extends WorkflowRef<string, infer F> ? F : never;

/** `workflowRef<(input: X) => Promise<Y>>()('workflowName', TASK_QUEUE.x)` */
export const workflowRef =
  <F extends Workflow>() =>
  <N extends string>(type: N, taskQueue: TaskQueueName): WorkflowRef<N, F> => ({ type, taskQueue });
