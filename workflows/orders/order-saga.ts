/** What the order saga's parts share: its input, its record, its effect lanes and its payments. */
import type { CancelRequest, OrderInput } from '../../contracts/orders';
import type { EffectLanes } from '../shared/effect-lanes';
import type { OrderEffects } from './order-effects';
import type { OrderPayments } from './order-payments';
import type { OrderRecord } from './order-record';

/** Side effects run in these lanes, each independent: CRM never holds back a refund or an email. */
export const ORDER_LANES = ['payments', 'crm', 'email'] as const;
export type OrderLane = (typeof ORDER_LANES)[number];

export interface OrderSaga {
  input: OrderInput;
  record: OrderRecord;
  lanes: EffectLanes<OrderLane>;
  payments: OrderPayments;
  effects: OrderEffects;
  /** A cancel asked for while the payment is awaited: the main flow decides it (see fulfilment.ts). */
  cancelRequest?: CancelRequest;
}
