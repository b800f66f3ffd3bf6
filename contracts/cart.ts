/**
 * The customer's cart: one long-lived entity workflow per signed-in customer (`cart-<customerId>`),
 * changed by updates (the API uses update-with-start, so the first add creates it) and read by a
 * query. It stores skus and quantities only; prices and stock are the catalog's, read when shown.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { TASK_QUEUE } from './task-queues';
import { workflowRef } from './workflow-ref';

export const customerCartWorkflow = workflowRef<(input: CartInput) => Promise<CartView>>()('customerCart', TASK_QUEUE.orders);
export const cartWorkflowId = (customerId: string) => `cart-${customerId}`;

/** Quantity of one cart line. */
export const CART_MIN_QUANTITY = 1;
export const CART_MAX_QUANTITY = 99;
/** Distinct skus in one cart. */
export const CART_MAX_LINES = 50;
/** Changes after which the cart continues as new, keeping its history short. */
export const CART_CHANGES_PER_RUN = 200;
/** Order numbers the cart remembers having been checked out (idempotency of `checkedOut`). */
export const CART_REMEMBERED_ORDERS = 20;

export interface CartLine {
  sku: string;
  quantity: number;
  addedAt: string;
}

export interface CartState {
  items: CartLine[];
  /** Bumped by every change that altered the cart. */
  version: number;
  updatedAt: string;
  /** The version the last abandoned-cart reminder was sent for: one reminder per abandonment. */
  remindedVersion?: number;
  remindedAt?: string;
  reminders: number;
  /** Orders placed from this cart, newest last (a repeated `checkedOut` is a no-op). */
  checkedOutOrders: string[];
}

export interface CartInput {
  customer: { id: string; email: string; name?: string };
  /** No change for this long, with items in the cart → one reminder email. */
  abandonedAfterMs: number;
  /** Empty and unchanged for this long → the workflow completes (the next add starts a new one). */
  idleCloseMs: number;
  /** Carried across continue-as-new. */
  state?: CartState;
}

export interface CartView extends CartState {
  customerId: string;
}

export interface AddItemRequest {
  sku: string;
  quantity: number;
}
export interface SetQuantityRequest {
  sku: string;
  quantity: number;
}
export interface RemoveItemRequest {
  sku: string;
}
export interface CheckedOutRequest {
  orderNumber: string;
  items: { sku: string; quantity: number }[];
}

/** Failure types of refused cart updates, mapped to HTTP by the API. */
export const CART_FAILURES = { invalidQuantity: 'InvalidQuantity', notInCart: 'NotInCart', tooManyLines: 'TooManyLines' } as const;

export const addCartItemUpdate = defineUpdate<CartView, [AddItemRequest]>('addItem');
export const setCartQuantityUpdate = defineUpdate<CartView, [SetQuantityRequest]>('setQuantity');
export const removeCartItemUpdate = defineUpdate<CartView, [RemoveItemRequest]>('removeItem');
export const clearCartUpdate = defineUpdate<CartView, []>('clear');
/** The cart's items became order `orderNumber`: those quantities leave the cart, once per order. */
export const cartCheckedOutUpdate = defineUpdate<CartView, [CheckedOutRequest]>('checkedOut');
export const cartQuery = defineQuery<CartView>('cart');
