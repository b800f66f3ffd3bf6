/**
 * Routing a payment to the workflow that exists to receive it when the order's own workflow cannot
 * (closed, or no such order): signal-with-start of `closedOrderPayments` with the worker's Temporal
 * client, so concurrent notifications for one order meet in one execution.
 */
import { Context } from '@temporalio/activity';
import { CLOSED_ORDER_PAYMENTS_IDLE_MS, closedOrderPaymentsWorkflow, closedOrderPaymentsWorkflowId, paymentUpdatedSignal, type PaymentUpdate } from '../../contracts/orders';
import { OrderNumber } from '../../contracts/search-attributes';
import type { WorkflowOf } from '../../contracts/workflow-ref';

export function createOrderRoutingActivities() {
  return {
    async routePaymentToClosedOrder(input: { orderNumber: string; update: PaymentUpdate }): Promise<{ workflowId: string }> {
      const workflowId = closedOrderPaymentsWorkflowId(input.orderNumber);
      await Context.current().client.workflow.signalWithStart<WorkflowOf<typeof closedOrderPaymentsWorkflow>, [PaymentUpdate]>(closedOrderPaymentsWorkflow.type, {
        taskQueue: closedOrderPaymentsWorkflow.taskQueue,
        workflowId,
        args: [{ orderNumber: input.orderNumber, idleMs: CLOSED_ORDER_PAYMENTS_IDLE_MS }],
        signal: paymentUpdatedSignal,
        signalArgs: [input.update],
        typedSearchAttributes: [{ key: OrderNumber, value: input.orderNumber }],
      });
      return { workflowId };
    },
  };
}
