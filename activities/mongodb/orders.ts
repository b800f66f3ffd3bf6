/** MongoDB activities of the order saga: stock, its projection and its affiliate attribution. */
import { Context } from '@temporalio/activity';
import type { Config } from '../../common/config';
import type { OrderView } from '../../contracts/orders';
import { applyStockChange } from '../../domain/catalog/stock';
import { orderStore } from '../../domain/orders/order-store';
import type { StockMovementKind } from '../../domain/persistence/models/stock';

/** Each change is keyed by order, sku and step, so a retried activity changes stock once. */
export function createStockActivities() {
  const change = (kind: StockMovementKind) => (input: { orderNumber: string; sku: string; quantity: number }) =>
    applyStockChange({ sku: input.sku, kind, quantity: input.quantity, orderNumber: input.orderNumber, opKey: `${input.orderNumber}:${input.sku}:${kind}` });
  return {
    reserveStock: change('reserve'),
    releaseStock: change('release'),
    commitStock: change('commit'),
    restockItem: change('restock'),
  };
}

export function createOrderStoreActivities(config: Config) {
  // The worker's Temporal client: an attribution may start (or signal) a commission workflow.
  const store = () => orderStore(config, Context.current().client);
  type Store = ReturnType<typeof orderStore>;
  return {
    recordOrder: (view: OrderView) => store().recordOrder(view),
    loadOrder: (input: { orderNumber: string }) => store().loadOrder(input),
    recordUnmatchedPayment: (input: Parameters<Store['recordUnmatchedPayment']>[0]) => store().recordUnmatchedPayment(input),
    recordAffiliateAttribution: (input: Parameters<Store['recordAffiliateAttribution']>[0]) => store().recordAffiliateAttribution(input),
    voidAffiliateAttribution: (input: Parameters<Store['voidAffiliateAttribution']>[0]) => store().voidAffiliateAttribution(input),
  };
}
