/**
 * One customer's cart as a long-lived entity workflow (`cart-<customerId>`). Why a workflow and
 * not a document: every change is an update that is validated and applied one at a time (two
 * devices adding at once cannot lose a line, with no compare-and-set on FerretDB), the abandoned
 * cart reminder is a durable timer that restarts with every change (no polling job scanning
 * carts), and the API starts it on the first add with update-with-start. It keeps skus and
 * quantities only; prices and stock are read from the catalog when the cart is shown.
 *
 * Life: changes bump `version`; with items in the cart and no change for `abandonedAfterMs`, one
 * reminder email goes out for that version (a new change re-arms it). After CART_CHANGES_PER_RUN
 * changes it continues as new with its state; empty and unchanged for `idleCloseMs`, it completes.
 */
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createCartActivities } from '../../activities/email/cart-reminder';
import {
  CART_CHANGES_PER_RUN,
  CART_FAILURES,
  CART_MAX_LINES,
  CART_MAX_QUANTITY,
  CART_MIN_QUANTITY,
  CART_REMEMBERED_ORDERS,
  addCartItemUpdate,
  cartCheckedOutUpdate,
  cartQuery,
  clearCartUpdate,
  removeCartItemUpdate,
  setCartQuantityUpdate,
  type CartInput,
  type CartState,
  type CartView,
} from '../../contracts/cart';
import { emailSend } from '../retry-policies';

const { sendCartReminder } = proxyActivities<ReturnType<typeof createCartActivities>>(emailSend);

const now = () => new Date().toISOString();

function invalidQuantity(sku: string, quantity: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: CART_FAILURES.invalidQuantity,
    message: `quantity: must be a whole number from ${CART_MIN_QUANTITY} to ${CART_MAX_QUANTITY} (${sku} would have ${quantity})`,
    details: [{ field: 'quantity', sku, quantity }],
    nonRetryable: true,
  });
}
const validQuantity = (q: number) => Number.isInteger(q) && q >= CART_MIN_QUANTITY && q <= CART_MAX_QUANTITY;

export async function customerCart(input: CartInput): Promise<CartView> {
  const state: CartState = input.state ?? { items: [], version: 0, updatedAt: now(), reminders: 0, checkedOutOrders: [] };
  let changesThisRun = 0;
  const view = (): CartView => ({ customerId: input.customer.id, ...state, items: state.items.map((i) => ({ ...i })) });
  const changed = () => {
    state.version++;
    state.updatedAt = now();
    changesThisRun++;
  };
  const line = (sku: string) => state.items.find((i) => i.sku === sku);

  setHandler(cartQuery, view);
  setHandler(
    addCartItemUpdate,
    ({ sku, quantity }) => {
      const existing = line(sku);
      if (existing) existing.quantity += quantity;
      else state.items.push({ sku, quantity, addedAt: now() });
      changed();
      return view();
    },
    {
      validator: ({ sku, quantity }) => {
        if (!validQuantity(quantity)) throw invalidQuantity(sku, quantity);
        const existing = line(sku);
        if (existing && !validQuantity(existing.quantity + quantity)) throw invalidQuantity(sku, existing.quantity + quantity);
        if (!existing && state.items.length >= CART_MAX_LINES) {
          throw ApplicationFailure.create({ type: CART_FAILURES.tooManyLines, message: `sku: a cart holds at most ${CART_MAX_LINES} different products`, details: [{ field: 'sku', sku }], nonRetryable: true });
        }
      },
    },
  );
  setHandler(
    setCartQuantityUpdate,
    ({ sku, quantity }) => {
      line(sku)!.quantity = quantity;
      changed();
      return view();
    },
    {
      validator: ({ sku, quantity }) => {
        if (!line(sku)) throw ApplicationFailure.create({ type: CART_FAILURES.notInCart, message: `sku: ${sku} is not in the cart`, details: [{ field: 'sku', sku }], nonRetryable: true });
        if (!validQuantity(quantity)) throw invalidQuantity(sku, quantity);
      },
    },
  );
  setHandler(
    removeCartItemUpdate,
    ({ sku }) => {
      state.items = state.items.filter((i) => i.sku !== sku);
      changed();
      return view();
    },
    {
      validator: ({ sku }) => {
        if (!line(sku)) throw ApplicationFailure.create({ type: CART_FAILURES.notInCart, message: `sku: ${sku} is not in the cart`, details: [{ field: 'sku', sku }], nonRetryable: true });
      },
    },
  );
  setHandler(clearCartUpdate, () => {
    if (state.items.length > 0) {
      state.items = [];
      changed();
    }
    return view();
  });
  setHandler(cartCheckedOutUpdate, ({ orderNumber, items }) => {
    // Idempotent by order number: a retried request (or a repeated Idempotency-Key) empties once.
    if (state.checkedOutOrders.includes(orderNumber)) return view();
    for (const ordered of items) {
      const l = line(ordered.sku);
      if (l) l.quantity -= ordered.quantity;
    }
    state.items = state.items.filter((i) => i.quantity > 0);
    state.checkedOutOrders = [...state.checkedOutOrders, orderNumber].slice(-CART_REMEMBERED_ORDERS);
    changed();
    return view();
  });

  for (;;) {
    if (changesThisRun >= CART_CHANGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof customerCart>({ ...input, state });
    }
    const version = state.version;
    const since = Date.parse(state.updatedAt);
    const isChange = () => state.version !== version || changesThisRun >= CART_CHANGES_PER_RUN;
    if (state.items.length === 0) {
      // Empty: wait for a change, or close once idle (the next add starts a new run).
      const wait = Math.max(0, since + input.idleCloseMs - Date.now());
      if (!(await condition(isChange, wait))) {
        await condition(allHandlersFinished);
        if (state.version === version && state.items.length === 0) return view();
      }
    } else if (state.remindedVersion !== version) {
      // Items and no reminder yet for this state of the cart: the abandonment timer.
      const wait = Math.max(0, since + input.abandonedAfterMs - Date.now());
      if (!(await condition(isChange, wait))) {
        try {
          await sendCartReminder({ customerId: input.customer.id, to: input.customer.email, customerName: input.customer.name, items: state.items.map((i) => ({ sku: i.sku, quantity: i.quantity })), version });
          state.remindedAt = now();
          state.reminders++;
        } catch (err) {
          // The mail server stayed away through the whole schedule: this abandonment goes unreminded.
          if (!(err instanceof ActivityFailure)) throw err;
        }
        state.remindedVersion = version;
      }
    } else {
      // Reminded once for this abandonment: nothing more until the customer changes the cart.
      await condition(isChange);
    }
  }
}
