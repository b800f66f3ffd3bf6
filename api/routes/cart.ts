/**
 * The signed-in customer's cart (seed 003 §5.5): one entity workflow per customer
 * (`cart-<customerId>`, workflows/orders/cart.ts), so every device of the customer sees and
 * changes the same cart. Adding uses update-with-start (the first add creates the workflow);
 * reading is its query. The cart holds skus and quantities only: prices and stock are the
 * catalog's as of now, read here when answering, never taken from the client.
 */
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { formatMinorUnits, lineTotalMinor, sumMinor, type Currency } from '../../common/money';
import {
  CART_FAILURES,
  CART_MAX_QUANTITY,
  CART_MIN_QUANTITY,
  addCartItemUpdate,
  cartQuery,
  cartWorkflowId,
  clearCartUpdate,
  customerCartWorkflow,
  removeCartItemUpdate,
  setCartQuantityUpdate,
  type CartInput,
  type CartView,
} from '../../contracts/cart';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { stockLevels } from '../../domain/catalog/stock';
import { Product } from '../../domain/persistence/models/product';
import { requireRole, requireUser } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import type { orderPlacement } from './orders';

const sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dot, dash or underscore');
const quantity = z.number().int().min(CART_MIN_QUANTITY).max(CART_MAX_QUANTITY);
export const addItemBody = z.object({ sku, quantity });
export const setQuantityBody = z.object({ quantity });
const skuParam = z.object({ sku });

/** The cart with the catalog's prices and stock as of now; lines no longer for sale are marked and left out of the subtotal. */
export async function presentCart(view: Pick<CartView, 'items' | 'version' | 'updatedAt'> & Partial<CartView>) {
  const products = new Map((await Product.find({ _id: { $in: view.items.map((i) => i.sku) } }).lean()).map((p) => [p._id, p]));
  const stock = await Promise.all(view.items.map((i) => stockLevels(i.sku)));
  const lines = view.items.map((i, n) => {
    const p = products.get(i.sku);
    const available = stock[n]?.available ?? 0;
    if (!p || !p.active) return { sku: i.sku, quantity: i.quantity, for_sale: false, name: p?.name ?? null, currency: p?.currency ?? null, unit_price: null, unit_price_minor: null, line_total: null, line_total_minor: null, available, in_stock: false, added_at: i.addedAt };
    const cur = p.currency as Currency;
    const line = lineTotalMinor(p.priceMinor, i.quantity);
    return { sku: i.sku, quantity: i.quantity, for_sale: true, name: p.name, currency: cur, unit_price: formatMinorUnits(p.priceMinor, cur), unit_price_minor: p.priceMinor, line_total: formatMinorUnits(line, cur), line_total_minor: line, available, in_stock: available >= i.quantity, added_at: i.addedAt };
  });
  const byCurrency = new Map<Currency, number[]>();
  for (const l of lines) if (l.for_sale) byCurrency.set(l.currency as Currency, [...(byCurrency.get(l.currency as Currency) ?? []), l.line_total_minor!]);
  const subtotals = [...byCurrency].map(([currency, amounts]) => {
    const minor = sumMinor(amounts);
    return { currency, subtotal: formatMinorUnits(minor, currency), subtotal_minor: minor };
  });
  return {
    items: lines,
    item_count: view.items.reduce((n, i) => n + i.quantity, 0),
    // One currency (the usual case): its subtotal at the top; several: one per currency.
    ...(subtotals.length === 1 ? subtotals[0] : { currency: null, subtotal: null, subtotal_minor: null }),
    subtotals,
    version: view.version,
    updated_at: view.updatedAt,
    ...(view.remindedAt ? { reminded_at: view.remindedAt } : {}),
  };
}

/** A refused cart update (its validator) as the HTTP answer naming the field. */
function cartFailure(err: unknown): HttpError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const details = (err.cause.details?.[0] ?? {}) as { field?: string; sku?: string };
  switch (err.cause.type) {
    case CART_FAILURES.invalidQuantity:
      return new HttpError(422, 'invalid_quantity', err.cause.message, { field: 'quantity', sku: details.sku });
    case CART_FAILURES.notInCart:
      return new HttpError(404, 'not_in_cart', err.cause.message, { field: 'sku', sku: details.sku });
    case CART_FAILURES.tooManyLines:
      return new HttpError(422, 'cart_full', err.cause.message, { field: 'sku', sku: details.sku });
    default:
      return undefined;
  }
}
const isGone = (err: unknown) => err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError' || /already completed|not found/i.test(String((err as Error)?.message));
const emptyCart = { items: [], version: 0, updatedAt: null as unknown as string };

export function cartRouter(deps: { config: Config; temporal: Client; placeOrder: ReturnType<typeof orderPlacement> }) {
  const { config, temporal } = deps;
  const router = apiRouter();
  const shopper = requireRole('customer', 'admin');

  const handleOf = (res: Response) => temporal.workflow.getHandle(cartWorkflowId(requireUser(res).userId));

  /** A product that can go in a cart, or 422 naming `field`. */
  async function forSale(s: string, field: string) {
    const p = await Product.findById(s, { active: 1 }).lean();
    if (!p) throw new HttpError(422, 'unknown_sku', `${field}: no product ${s}`, { field, sku: s });
    if (!p.active) throw new HttpError(422, 'inactive_product', `${field}: ${s} is not for sale`, { field, sku: s });
  }

  async function run(res: Response, update: () => Promise<CartView>, notFound?: () => never) {
    let view: CartView;
    try {
      view = await update();
    } catch (err) {
      const mapped = cartFailure(err);
      if (mapped) throw mapped;
      if (notFound && isGone(err)) notFound();
      throw err;
    }
    res.json(await presentCart(view));
  }

  router.get('/cart', shopper, async (_req, res) => {
    const view = await handleOf(res)
      .query(cartQuery)
      .catch((err) => {
        if (isGone(err)) return undefined;
        throw err;
      });
    res.json(await presentCart(view ?? emptyCart));
  });

  router.post('/cart/items', shopper, async (req, res) => {
    const user = requireUser(res);
    const body = addItemBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    await forSale(body.data.sku, 'sku');
    const input: CartInput = {
      customer: { id: user.userId, email: user.email, ...(user.name ? { name: user.name } : {}) },
      abandonedAfterMs: Math.round(config.CART_ABANDONED_HOURS * 3_600_000),
      idleCloseMs: Math.round(config.CART_IDLE_DAYS * 86_400_000),
    };
    // The first add starts the customer's cart; later ones (from any device) join it.
    const start = new WithStartWorkflowOperation<WorkflowOf<typeof customerCartWorkflow>>(customerCartWorkflow.type, {
      workflowId: cartWorkflowId(user.userId),
      taskQueue: customerCartWorkflow.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await run(res, () => temporal.workflow.executeUpdateWithStart(addCartItemUpdate, { args: [body.data], startWorkflowOperation: start }));
  });

  router.put('/cart/items/:sku', shopper, async (req, res) => {
    const params = skuParam.safeParse(req.params);
    if (!params.success) throw validationError(params.error, 'params');
    const body = setQuantityBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const s = params.data.sku;
    await run(
      res,
      () => handleOf(res).executeUpdate(setCartQuantityUpdate, { args: [{ sku: s, quantity: body.data.quantity }] }),
      () => {
        throw new HttpError(404, 'not_in_cart', `sku: ${s} is not in the cart`, { field: 'sku', sku: s });
      },
    );
  });

  /** Idempotent: removing a line that is not (or no longer) in the cart answers the cart as it is. */
  router.delete('/cart/items/:sku', shopper, async (req, res) => {
    const params = skuParam.safeParse(req.params);
    if (!params.success) throw validationError(params.error, 'params');
    const handle = handleOf(res);
    const view = await handle.query(cartQuery).catch((err) => {
      if (isGone(err)) return undefined;
      throw err;
    });
    if (!view || !view.items.some((i) => i.sku === params.data.sku)) return void res.json(await presentCart(view ?? emptyCart));
    await run(res, () => handle.executeUpdate(removeCartItemUpdate, { args: [{ sku: params.data.sku }] }), () => {
      throw new HttpError(404, 'not_in_cart', `sku: ${params.data.sku} is not in the cart`, { field: 'sku', sku: params.data.sku });
    });
  });

  router.delete('/cart', shopper, async (_req, res) => {
    const handle = handleOf(res);
    try {
      res.json(await presentCart(await handle.executeUpdate(clearCartUpdate)));
    } catch (err) {
      if (!isGone(err)) throw err;
      res.json(await presentCart(emptyCart));
    }
  });

  /** The cart becomes an order (same as POST /orders with from_cart: true). */
  router.post('/cart/checkout', shopper, (req, res) => deps.placeOrder(req, res, 'cart'));

  return router;
}
