/** Task-queue names, for starters and workers alike (defined with the config that validates them). */
export { TASK_QUEUE, TASK_QUEUES, type TaskQueueName } from '../common/task-queues';
