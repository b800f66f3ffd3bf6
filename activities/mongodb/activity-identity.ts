import { Context } from '@temporalio/activity';

/** The calling workflow's id: who owns a claim made on its behalf. */
export const callingWorkflowId = () => Context.current().info.workflowExecution?.workflowId ?? 'unknown';

/** One activity execution (retries included): a counter claimed under it counts once. */
export function activityExecutionKey(prefix: string): string {
  const info = Context.current().info;
  return `${prefix}:${info.workflowExecution?.workflowId}:${info.workflowExecution?.runId}:${info.activityId}`;
}
