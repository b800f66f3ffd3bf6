/**
 * The product's task queues, named once. Workers poll them (WORKER_TASK_QUEUES picks a subset), and
 * every start names one through a workflow reference (contracts/workflow-ref.ts).
 *
 * `gohighlevel` carries every GoHighLevel call, throttled at the queue (GHL_ACTIVITIES_PER_SECOND)
 * so bursts stay under GoHighLevel's 100 requests / 10 s instead of spending retry attempts on 429s.
 */
export const TASK_QUEUES = ['webhooks', 'orders', 'commissions', 'ops', 'gohighlevel'] as const;
export type TaskQueueName = (typeof TASK_QUEUES)[number];

export const TASK_QUEUE = {
  webhooks: 'webhooks',
  orders: 'orders',
  commissions: 'commissions',
  ops: 'ops',
  gohighlevel: 'gohighlevel',
} as const satisfies { [Q in TaskQueueName]: Q };
