/**
 * After payment: fulfilment one step at a time (processing → shipped → delivered) and cancellation
 * until the order ships, both as validated updates (an invalid move is refused before it is
 * recorded in history).
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { CANCELLABLE, INVALID_TRANSITION, NEXT_FULFILLMENT, cancelOrderUpdate, fulfillmentUpdate, type CancelRequest } from '../../contracts/orders';
import { stageOf } from '../../domain/orders/payment-reversals';
import { stock, store } from './order-activities';
import type { OrderEffects } from './order-effects';
import type { OrderPayments } from './order-payments';
import { now } from './order-record';
import type { SagaCore } from './order-saga';

export interface OrderSaga extends SagaCore {
  payments: OrderPayments;
  effects: OrderEffects;
  /** A cancel asked for while the payment is awaited: the main flow decides it. */
  cancelRequest?: CancelRequest;
}

export function handleFulfilment(saga: OrderSaga): void {
  const { record, effects } = saga;
  const { state } = record;
  const orderNumber = saga.input.orderNumber;

  setHandler(
    fulfillmentUpdate,
    async (req) => {
      const detail = { by: req.by, ...(req.trackingNumber ? { trackingNumber: req.trackingNumber } : {}) };
      if (state.status === 'partially_refunded') {
        // A partially refunded order keeps that status (the money story) and goes on being fulfilled.
        state.payment!.reversal!.stage = req.status;
        record.note(`order_${req.status}`, detail);
      } else {
        record.setStatus(req.status, `order_${req.status}`, detail);
      }
      if (req.status === 'shipped') {
        state.trackingNumber = req.trackingNumber;
        effects.sendEmail('shipped');
      }
      await record.persist();
      return record.view();
    },
    {
      validator: (req) => {
        const stage = stageOf(state);
        const next = NEXT_FULFILLMENT[stage];
        if (next !== req.status) {
          throw ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: `order ${orderNumber} is ${state.status}; ${next ? `the next status is ${next}` : 'it cannot move on'}, not ${req.status}`,
            details: [{ current: state.status, requested: req.status, allowed: next ? [next, ...(CANCELLABLE.includes(stage) ? ['cancelled'] : [])] : [] }],
          });
        }
        if (req.status === 'shipped' && !req.trackingNumber) {
          throw ApplicationFailure.create({ type: 'TrackingNumberRequired', message: 'shipping needs a tracking number', details: [{ field: 'tracking_number' }] });
        }
      },
    },
  );

  setHandler(
    cancelOrderUpdate,
    async (req) => {
      if (state.status === 'awaiting_payment') {
        // The main flow decides, so a payment approved at the same moment is settled exactly once
        // (paid, then cancelled with a refund).
        saga.cancelRequest = req;
        await condition(() => state.status === 'cancelled');
      } else {
        cancelPaidOrder(saga, req);
      }
      await record.persist();
      return record.view();
    },
    {
      validator: (_req: CancelRequest) => {
        const stage = stageOf(state);
        if (!CANCELLABLE.includes(stage)) {
          throw ApplicationFailure.create({
            type: INVALID_TRANSITION,
            message: `order ${orderNumber} is ${state.status} and can no longer be cancelled`,
            details: [{ current: state.status, requested: 'cancelled', allowed: NEXT_FULFILLMENT[stage] ? [NEXT_FULFILLMENT[stage]] : [] }],
          });
        }
      },
    },
  );
}

/** A paid order cancelled: refund, then restock and tell the customer once the money is back. */
export function cancelPaidOrder(saga: OrderSaga, req: CancelRequest): void {
  const { input, record, lanes, payments, effects } = saga;
  const { state } = record;
  record.setStatus('cancelled', 'order_cancelled', { reason: req.reason, by: req.by });
  state.cancellation = { reason: req.reason, by: req.by, at: now() };
  const paymentId = state.payment!.paymentId!;
  payments.refund(paymentId, 'order_cancelled', () => {
    state.payment!.status = 'refunded';
    lanes.enqueue('payments', 'restockItems', async () => {
      for (const item of input.items) await stock.restockItem({ orderNumber: input.orderNumber, sku: item.sku, quantity: item.quantity });
      record.note('stock_restocked');
      await record.persist();
    });
    // A partial refund made outside earlier already gave part of it back.
    effects.sendEmail('cancelled', { refundedMinor: input.totalMinor - (state.payment!.reversal?.refundedMinor ?? 0) });
  });
  effects.syncCrm('lost', input.crm.cancelledTag);
  if (input.affiliateCode) lanes.enqueue('payments', 'voidAffiliateAttribution', () => store.voidAffiliateAttribution({ orderNumber: input.orderNumber }));
}
