/** What every part of the order saga shares: its input, its record and its effect lanes. */
import type { OrderInput } from '../../contracts/orders';
import type { EffectLanes } from '../shared/effect-lanes';
import type { OrderRecord } from './order-record';

/** Side effects run in these lanes, each independent: CRM never holds back a refund or an email. */
export const ORDER_LANES = ['payments', 'crm', 'email'] as const;
export type OrderLane = (typeof ORDER_LANES)[number];

export interface SagaCore {
  input: OrderInput;
  record: OrderRecord;
  lanes: EffectLanes<OrderLane>;
}
