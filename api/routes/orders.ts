/**
 * Orders (seed 003 §5.6). Creating one starts its saga with update-with-start: the answer comes
 * once stock is reserved and the payment link exists, or with why the order was refused. Reads
 * come from the projection (lists) and the workflow's live state (one order).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { Order, ORDER_STATUSES } from '../../domain/persistence/models/order';
import { Product } from '../../domain/persistence/models/product';
import { formatMinorUnits, lineTotalMinor, MoneyError, sumMinor, type Currency } from '../../common/money';
import { IDEMPOTENCY_KEY_TTL_MS, IdempotencyKeyReused, orderForIdempotencyKey, releaseIdempotencyKey, requestFingerprint } from '../../domain/orders/idempotency-keys';
import { CustomerEmail, OrderNumber, OrderStatus } from '../../contracts/search-attributes';
import { executionUrl } from '../../common/temporal';
import {
  CHECKOUT_FAILURES,
  FULFILLMENT_STATUSES,
  INVALID_TRANSITION,
  cancelOrderUpdate,
  checkoutUpdate,
  fulfillmentUpdate,
  orderCheckoutWorkflow,
  orderStateQuery,
  orderWorkflowId,
  retrySignal,
  type CheckoutResult,
  type OrderInput,
  type OrderItem,
  type OrderView,
} from '../../contracts/orders';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { cartCheckedOutUpdate, cartQuery, cartWorkflowId } from '../../contracts/cart';
import { couponDiscount } from '../../domain/orders/coupons';
import { couponUsage } from '../../domain/orders/coupon-redemptions';
import { Coupon } from '../../domain/persistence/models/coupon';
import { principalOf, requireRole, staffFrom, type Principal } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { page, pageFilter, pageQuery, pageSort } from '../pagination';
import { apiRouter } from '../request-guards';
import { emailAddress } from '../email-address';

export const MAX_ITEM_QUANTITY = 1000;

const orderItems = z
  .array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int() }))
  .min(1, 'needs at least one item')
  .max(50);
export const couponCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{3,32}$/, 'must be 3–32 letters, digits, dash or underscore')
  .transform((c) => c.toUpperCase());

const orderFields = {
  shipping_address: z.object({
    street: z.string().trim().min(1).max(200),
    city: z.string().trim().min(1).max(100),
    state: z.string().trim().max(100).optional(),
    postal_code: z.string().trim().min(1).max(20),
    country: z.string().trim().min(2).max(56),
  }),
  affiliate_code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{2,64}$/, 'must be 2–64 letters, digits, dash or underscore')
    .optional(),
  /** A coupon code: its discount is taken off the subtotal (422 with `reason` when it does not apply). */
  coupon: couponCode.optional(),
};
/** The body of POST /cart/checkout: the order comes from the cart, so no items. */
export const cartCheckoutBody = z.object(orderFields);
export const createBody = z
  .object({
    items: orderItems.optional(),
    /** Place the order from the signed-in customer's cart (no `items` then); the cart is emptied once the order is accepted. */
    from_cart: z.boolean().optional(),
    ...orderFields,
    // Client-side prices are ignored: the catalog decides (zod drops unknown keys such as `price`).
  })
  .superRefine((b, ctx) => {
    if (b.from_cart && b.items) ctx.addIssue({ code: 'custom', path: ['items'], message: 'must be left out with from_cart: the order is built from the cart' });
    if (!b.from_cart && !b.items) ctx.addIssue({ code: 'custom', path: ['items'], message: 'required (or send from_cart: true to order the cart)' });
  });

export const listQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  email: emailAddress().optional(),
  customer_id: z.string().max(64).optional(),
  ...pageQuery,
});

export const statusBody = z.discriminatedUnion('status', [
  z.object({ status: z.enum(FULFILLMENT_STATUSES), tracking_number: z.string().trim().min(1).max(100).optional() }),
  z.object({ status: z.literal('cancelled'), reason: z.string().trim().min(1).max(200).default('cancelled by admin') }),
]);
export const cancelBody = z.object({ reason: z.string().trim().min(1).max(200).default('cancelled by customer') });

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const base32 = (bytes: Buffer, n: number) => Array.from(bytes.subarray(0, n), (b) => CROCKFORD[b % 32]).join('');

/**
 * PF- and 12 Crockford base32 characters (60 bits). With an Idempotency-Key the number is derived
 * from the customer and the key, so a retried POST finds the order it already created.
 */
export function newOrderNumber(): string {
  return `PF-${base32(randomBytes(12), 12)}`;
}

/** How order numbers were derived from an Idempotency-Key before key records existed. */
const legacyOrderNumber = (customerId: string, key: string) => `PF-${base32(createHash('sha256').update(`${customerId}\n${key}`).digest(), 12)}`;

/** Runs an exact money computation; past the largest amount it is 422 naming `field`. */
function exactMoney(compute: () => number, field: string): number {
  try {
    return compute();
  } catch (err) {
    if (err instanceof MoneyError) throw new HttpError(422, 'amount_too_large', `${field}: ${err.message}`, { field });
    throw err;
  }
}

function presentOrder(o: Pick<OrderView, 'orderNumber' | 'status' | 'currency' | 'totalMinor' | 'items' | 'customer' | 'shippingAddress' | 'createdAt' | 'updatedAt'> & Partial<OrderView>, config: Config) {
  const cur = o.currency as Currency;
  const money = (minor: number) => formatMinorUnits(minor, cur);
  return {
    order_number: o.orderNumber,
    status: o.status,
    customer: o.customer,
    items: o.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, unit_price: money(i.unitPriceMinor), line_total: money(i.lineTotalMinor) })),
    currency: cur,
    subtotal: money(o.subtotalMinor ?? o.totalMinor),
    subtotal_minor: o.subtotalMinor ?? o.totalMinor,
    discount: money(o.discountMinor ?? 0),
    discount_minor: o.discountMinor ?? 0,
    total: money(o.totalMinor),
    total_minor: o.totalMinor,
    ...(o.coupon ? { coupon: { code: o.coupon.code, discount: money(o.coupon.discountMinor), discount_minor: o.coupon.discountMinor } } : {}),
    ...(o.fromCart ? { from_cart: true } : {}),
    shipping_address: o.shippingAddress,
    ...(o.affiliateCode ? { affiliate_code: o.affiliateCode } : {}),
    payment: o.payment
      ? {
          status: o.payment.status,
          preference_id: o.payment.preferenceId,
          init_point: o.payment.initPoint,
          sandbox_init_point: o.payment.sandboxInitPoint,
          payment_id: o.payment.paymentId,
          paid_at: o.payment.paidAt,
          refunds: o.payment.refunds.map((r) => ({ payment_id: r.paymentId, reason: r.reason, status: r.status, amount: r.amount })),
          ...(o.payment.reversal
            ? {
                reversal: {
                  kind: o.payment.reversal.kind,
                  payment_id: o.payment.reversal.paymentId,
                  refunded: money(o.payment.reversal.refundedMinor),
                  refunded_minor: o.payment.reversal.refundedMinor,
                  stage: o.payment.reversal.stage,
                  restocked: o.payment.reversal.restocked,
                  commission_voided: o.payment.reversal.commissionVoided,
                  at: o.payment.reversal.at,
                },
              }
            : {}),
        }
      : null,
    ...(o.trackingNumber ? { tracking_number: o.trackingNumber } : {}),
    ...(o.cancellation ? { cancellation: o.cancellation } : {}),
    ...(o.rejection ? { rejection: o.rejection } : {}),
    ...(o.pendingEffects ? { pending_effects: o.pendingEffects } : {}),
    ...(o.failedSteps?.length ? { failed_steps: o.failedSteps } : {}),
    ...(o.timeline ? { timeline: o.timeline } : {}),
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    links: { self: `/api/v1/orders/${o.orderNumber}`, execution: executionUrl(config, orderWorkflowId(o.orderNumber)) },
  };
}

/** Maps a failed or rejected update to the HTTP answer that names the problem. */
function updateFailure(err: unknown): HttpError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = (cause.details?.[0] ?? {}) as Record<string, unknown>;
  switch (cause.type) {
    case CHECKOUT_FAILURES.insufficientStock:
      return new HttpError(409, 'insufficient_stock', cause.message, { field: 'items', items: details.shortages });
    case CHECKOUT_FAILURES.providerUnavailable:
    case CHECKOUT_FAILURES.stockUnavailable:
      return new HttpError(503, 'temporarily_unavailable', cause.message, { retryAfterSeconds: 30 });
    case CHECKOUT_FAILURES.couponRefused: {
      const refusal = String((details.coupon as { refusal?: string } | undefined)?.refusal ?? 'coupon_exhausted');
      return new HttpError(422, refusal, `coupon: ${cause.message}`, { field: 'coupon', reason: refusal });
    }
    case INVALID_TRANSITION:
      return new HttpError(409, 'invalid_transition', cause.message, { field: 'status', ...details });
    case 'TrackingNumberRequired':
      return new HttpError(422, 'tracking_number_required', cause.message, { field: 'tracking_number' });
    default:
      return undefined;
  }
}

export function ordersRouter(deps: { config: Config; temporal: Client; log?: { warn(o: object, msg: string): void } }) {
  const { config, temporal } = deps;
  const router = apiRouter();
  const placeOrder = orderPlacement(deps);
  const customerOrAdmin = requireRole('customer', 'admin');
  // Staff read every order; operators may also cancel and retry.
  const customerOrStaff = requireRole('customer', ...staffFrom('viewer'));
  const customerOrOperator = requireRole('customer', ...staffFrom('operator'));

  /** The order if the caller may see it; someone else's order is as absent as a missing one. */
  async function visibleOrder(number: string, res: Response) {
    const doc = await Order.findById(number).lean();
    const p = principalOf(res)!;
    if (!doc || (p.role === 'customer' && (p.kind !== 'user' || doc.customer?.id !== p.userId))) {
      throw new HttpError(404, 'not_found', `order ${number} not found`, { field: 'order_number' });
    }
    return doc;
  }

  router.post('/orders', customerOrAdmin, (req, res) => placeOrder(req, res, 'orders'));

  router.get('/orders', customerOrStaff, async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const p = principalOf(res)!;
    const { status, email, customer_id, limit, since } = q.data;
    const own: Record<string, unknown> = p.role !== 'customer' ? { ...(email ? { 'customer.email': email.toLowerCase() } : {}), ...(customer_id ? { 'customer.id': customer_id } : {}) } : { 'customer.id': (p as Extract<Principal, { kind: 'user' }>).userId };
    // A refused checkout (409/422/503 at POST) is recorded as `rejected` but is not an order the
    // customer has: lists leave it out unless asked for with status=rejected.
    const filter: Record<string, unknown> = { ...pageFilter('createdAt', q.data.cursor), ...own, status: status ?? { $ne: 'rejected' }, ...(since ? { createdAt: { $gte: since } } : {}) };
    const docs = await Order.find(filter, { timeline: 0 }).sort(pageSort('createdAt')).limit(limit + 1).lean();
    const { items, nextCursor } = page(docs, limit, 'createdAt');
    res.json({ items: items.map((o) => presentOrder(o as unknown as OrderView, config)), nextCursor });
  });

  router.get('/orders/:number', customerOrStaff, async (req, res) => {
    const doc = await visibleOrder(req.params.number as string, res);
    // Live state from the workflow; the projection if the execution cannot answer (closed and purged,
    // worker down) or is behind it (a closed order's late payments and reversals are recorded there).
    const queried = await temporal.workflow
      .getHandle(doc.workflowId)
      .query(orderStateQuery)
      .catch(() => undefined);
    const live = queried && queried.revision >= (doc.revision ?? 0) ? queried : undefined;
    res.json({ ...presentOrder((live ?? doc) as unknown as OrderView, config), source: live ? 'workflow' : 'projection' });
  });

  async function runUpdate(number: string, run: () => Promise<OrderView>, res: Response) {
    try {
      res.json(presentOrder(await run(), config));
    } catch (err) {
      const mapped = updateFailure(err);
      if (mapped) throw mapped;
      if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') {
        const doc = await Order.findById(number).lean();
        throw new HttpError(409, 'invalid_transition', `order ${number} is ${doc?.status ?? 'closed'} and can no longer change`, { field: 'status', current: doc?.status });
      }
      throw err;
    }
  }

  router.patch('/orders/:number/status', requireRole('admin'), async (req, res) => {
    const number = req.params.number as string;
    const doc = await visibleOrder(number, res);
    const body = statusBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const by = actor(principalOf(res)!);
    const handle = temporal.workflow.getHandle(doc.workflowId);
    const b = body.data;
    await runUpdate(
      number,
      () =>
        b.status === 'cancelled'
          ? handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: b.reason, by }] })
          : handle.executeUpdate(fulfillmentUpdate, { args: [{ status: b.status, trackingNumber: b.tracking_number, by }] }),
      res,
    );
  });

  router.post('/orders/:number/cancel', customerOrOperator, async (req, res) => {
    const number = req.params.number as string;
    const doc = await visibleOrder(number, res);
    const body = cancelBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const by = actor(principalOf(res)!);
    await runUpdate(number, () => temporal.workflow.getHandle(doc.workflowId).executeUpdate(cancelOrderUpdate, { args: [{ reason: body.data.reason, by }] }), res);
  });

  /**
   * Ops: run a failed step of the order again (same as `temporal workflow signal --name retry`).
   * 202 only when a step is waiting for its retry (asked of the workflow itself: the live truth);
   * otherwise 409 `not_failed`, as for webhook events, since the signal would do nothing.
   */
  router.post('/orders/:number/retry', requireRole(...staffFrom('operator')), async (req, res) => {
    const number = req.params.number as string;
    const doc = await visibleOrder(number, res);
    let failed: OrderView['failedSteps'];
    try {
      failed = (await temporal.workflow.getHandle(doc.workflowId).query(orderStateQuery)).failedSteps;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_running', `the execution of order ${number} is no longer running`);
      throw new HttpError(503, 'temporarily_unavailable', `the state of order ${number} could not be read from its workflow; nothing was retried`, { retryAfterSeconds: 30 });
    }
    if (failed.length === 0) {
      throw new HttpError(409, 'not_failed', `order ${number} is ${doc.status} with no failed step waiting for a retry; only a failed step can be retried`, { status: doc.status });
    }
    try {
      await temporal.workflow.getHandle(doc.workflowId).signal(retrySignal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_running', `the execution of order ${number} is no longer running`);
      throw err;
    }
    res.status(202).json({ order_number: number, signalled: 'retry', steps: failed.map((f) => f.step) });
  });

  return router;
}

const actor = (p: Principal) => (p.kind === 'user' ? `${p.role}:${p.email}` : `api_key:${p.name}`);

/**
 * Places an order (POST /orders, or POST /cart/checkout): validates, prices from the catalog,
 * applies the coupon, then starts the saga with update-with-start. From the cart, the cart is
 * emptied of the ordered lines once the order is accepted (an update, idempotent by order number).
 */
export function orderPlacement(deps: { config: Config; temporal: Client; log?: { warn(o: object, msg: string): void } }) {
  const { config, temporal } = deps;
  return async function placeOrder(req: Request, res: Response, route: 'orders' | 'cart'): Promise<void> {
    const principal = principalOf(res)!;
    if (principal.kind !== 'user') throw new HttpError(403, 'forbidden', 'orders are placed by a signed-in customer, not an API key');
    let b: z.infer<typeof createBody>;
    if (route === 'cart') {
      const body = cartCheckoutBody.safeParse(req.body ?? {});
      if (!body.success) throw validationError(body.error);
      b = { ...body.data, from_cart: true };
    } else {
      const body = createBody.safeParse(req.body ?? {});
      if (!body.success) throw validationError(body.error);
      b = body.data;
    }
    const fromCart = b.from_cart === true;
    const cartField = route === 'cart' ? 'cart' : 'from_cart';
    const key = req.header('idempotency-key');
    if (key !== undefined && !/^[\x21-\x7e]{8,128}$/.test(key)) throw new HttpError(400, 'invalid_request', 'Idempotency-Key: 8–128 visible ASCII characters', { field: 'Idempotency-Key' });
    // The same key with the same request is the same order; with another request it is refused.
    const caller = `user:${principal.userId}`;
    const fingerprint = requestFingerprint({ method: req.method, path: req.baseUrl + req.path, body: b });
    const keyReused = (err: unknown) => {
      if (err instanceof IdempotencyKeyReused) throw new HttpError(422, 'idempotency_key_reused', `Idempotency-Key: ${err.message}`, { field: 'Idempotency-Key', in: 'header' });
      throw err;
    };
    let requested: { sku: string; quantity: number }[];
    if (fromCart) {
      const cart = await temporal.workflow
        .getHandle(cartWorkflowId(principal.userId))
        .query(cartQuery)
        .catch((err) => {
          if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') return undefined;
          throw err;
        });
      if ((!cart || cart.items.length === 0) && key) {
        // A retried cart checkout finds its cart emptied by the order it placed: answer that order.
        const prior = await orderForIdempotencyKey({ caller, key, fingerprint, newOrderNumber }).catch(keyReused);
        const existing = prior.repeat ? await Order.findById(prior.orderNumber).lean() : null;
        if (existing && existing.status !== 'rejected') return void res.status(200).json(presentOrder(existing as unknown as OrderView, config));
        if (!prior.repeat) await releaseIdempotencyKey({ caller, key, orderNumber: prior.orderNumber });
      }
      if (!cart || cart.items.length === 0) throw new HttpError(422, 'cart_empty', `${cartField}: the cart is empty; add items first`, { field: cartField });
      requested = cart.items.map((i) => ({ sku: i.sku, quantity: i.quantity }));
    } else {
      requested = b.items!;
    }
    // Lines of the cart are named by sku (the cart's own fields); the body's by index.
    const fieldOf = (i: number, f: 'sku' | 'quantity') => (fromCart ? `${cartField}.${requested[i].sku}.${f}` : `items.${i}.${f}`);

    // Semantic checks are 422: the request is well-formed but cannot be an order.
    const seen = new Set<string>();
    requested.forEach((item, i) => {
      if (item.quantity <= 0 || item.quantity > MAX_ITEM_QUANTITY) {
        throw new HttpError(422, 'invalid_quantity', `${fieldOf(i, 'quantity')}: must be between 1 and ${MAX_ITEM_QUANTITY}`, { field: fieldOf(i, 'quantity'), sku: item.sku });
      }
      if (seen.has(item.sku)) throw new HttpError(422, 'duplicate_sku', `${fieldOf(i, 'sku')}: ${item.sku} appears twice; send one line with the total quantity`, { field: fieldOf(i, 'sku'), sku: item.sku });
      seen.add(item.sku);
    });
    const products = await Promise.all(requested.map((i) => Product.findById(i.sku).lean()));
    const items: OrderItem[] = requested.map((item, i) => {
      const p = products[i];
      if (!p) throw new HttpError(422, 'unknown_sku', `${fieldOf(i, 'sku')}: no product ${item.sku}`, { field: fieldOf(i, 'sku'), sku: item.sku });
      if (!p.active) throw new HttpError(422, 'inactive_product', `${fieldOf(i, 'sku')}: ${item.sku} is not for sale`, { field: fieldOf(i, 'sku'), sku: item.sku });
      return { sku: p._id, name: p.name, quantity: item.quantity, unitPriceMinor: p.priceMinor, lineTotalMinor: exactMoney(() => lineTotalMinor(p.priceMinor, item.quantity), fieldOf(i, 'quantity')) };
    });
    // Exact in integer minor units, and capped: a total past MAX_MINOR is refused, never rounded.
    const subtotalMinor = exactMoney(() => sumMinor(items.map((i) => i.lineTotalMinor)), fromCart ? cartField : 'items');
    const currencies = new Set(products.map((p) => p!.currency));
    if (currencies.size > 1) throw new HttpError(422, 'mixed_currencies', `items are priced in ${[...currencies].join(' and ')}; one order has one currency`, { field: fromCart ? cartField : 'items' });
    const currency = products[0]!.currency as Currency;

    // The coupon: its rules here (nothing is started for a code that cannot apply); its limits are
    // checked here as a courtesy and enforced by the saga's redemption slots.
    let coupon: { code: string; discountMinor: number } | undefined;
    if (b.coupon) {
      const doc = await Coupon.findById(b.coupon).lean();
      const applied = couponDiscount(doc && { ...doc, code: doc._id }, { subtotalMinor, currency, at: new Date() });
      if ('refusal' in applied) throw new HttpError(422, applied.refusal, `coupon: ${applied.message}`, { field: 'coupon', reason: applied.refusal });
      const usage = await couponUsage(b.coupon, principal.userId);
      if (doc!.perCustomerLimit && usage.usedByCustomer >= doc!.perCustomerLimit) {
        throw new HttpError(422, 'coupon_customer_limit', `coupon: ${b.coupon} may be used ${doc!.perCustomerLimit} time(s) per customer`, { field: 'coupon', reason: 'coupon_customer_limit' });
      }
      if (doc!.usageLimit && usage.used >= doc!.usageLimit) throw new HttpError(422, 'coupon_exhausted', `coupon: ${b.coupon} has been used its ${doc!.usageLimit} time(s)`, { field: 'coupon', reason: 'coupon_exhausted' });
      coupon = { code: b.coupon, discountMinor: applied.discountMinor };
    }
    const totalMinor = subtotalMinor - (coupon?.discountMinor ?? 0);

    const customer = { id: principal.userId, email: principal.email, ...(principal.name ? { name: principal.name } : {}) };
    // Keys sent before key records existed named the order derived from (customer, key): a retry of
    // such a request within the 24 h still finds that order instead of placing a second one.
    const legacyNumber = key ? legacyOrderNumber(principal.userId, key) : undefined;
    const legacy = legacyNumber ? await Order.findById(legacyNumber, { status: 1, createdAt: 1 }).lean() : null;
    const legacyLive = !!legacy && legacy.status !== 'rejected' && Date.now() - new Date(legacy.createdAt).getTime() < IDEMPOTENCY_KEY_TTL_MS;
    const claim = () =>
      orderForIdempotencyKey({ caller, key: key!, fingerprint, newOrderNumber: () => (legacyLive ? legacyNumber! : newOrderNumber()) }).catch(keyReused);
    let claimed = key ? await claim() : undefined;
    /** A refused checkout frees its key, so the same key may place the order once it can be placed. */
    const release = async () => {
      if (key && claimed) await releaseIdempotencyKey({ caller, key, orderNumber: claimed.orderNumber });
    };
    /** The ordered lines leave the cart once the order is accepted (idempotent by order number). */
    const emptyCart = async (orderNumber: string) => {
      if (!fromCart) return;
      await temporal.workflow
        .getHandle(cartWorkflowId(principal.userId))
        .executeUpdate(cartCheckedOutUpdate, { args: [{ orderNumber, items: requested }] })
        .catch((err) => deps.log?.warn({ err, orderNumber }, 'the cart could not be emptied after its checkout'));
    };

    for (let attempt = 0; ; attempt++) {
      const orderNumber = claimed?.orderNumber ?? newOrderNumber();
      const input: OrderInput = {
        orderNumber,
        customer,
        items,
        currency,
        totalMinor,
        shippingAddress: b.shipping_address,
        ...(b.affiliate_code ? { affiliateCode: b.affiliate_code } : {}),
        createdAt: new Date().toISOString(),
        paymentTimeoutMs: Math.round(config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000),
        latePaymentWindowMs: Math.round(config.ORDER_LATE_PAYMENT_WINDOW_HOURS * 3_600_000),
        notificationUrl: `${config.PUBLIC_API_URL.replace(/\/$/, '')}/webhooks/mercadopago`,
        crm: { pipelineId: config.GHL_PIPELINE_ID, paidTag: config.GHL_ORDER_PAID_TAG, cancelledTag: config.GHL_ORDER_CANCELLED_TAG },
        ...(coupon ? { coupon, subtotalMinor, discountMinor: coupon.discountMinor } : {}),
        ...(fromCart ? { fromCart: true } : {}),
      };
      const start = new WithStartWorkflowOperation<WorkflowOf<typeof orderCheckoutWorkflow>>(orderCheckoutWorkflow.type, {
        workflowId: orderWorkflowId(orderNumber),
        taskQueue: orderCheckoutWorkflow.taskQueue,
        args: [input],
        // With an Idempotency-Key, a repeat joins the running order; without one, a clash is a new number.
        workflowIdConflictPolicy: key ? 'USE_EXISTING' : 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: OrderNumber, value: orderNumber },
          { key: OrderStatus, value: 'created' },
          { key: CustomerEmail, value: customer.email },
        ],
      });
      let result: CheckoutResult;
      try {
        result = await temporal.workflow.executeUpdateWithStart(checkoutUpdate, { startWorkflowOperation: start });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          if (key) {
            const existing = await Order.findById(orderNumber).lean();
            if (existing && existing.status !== 'rejected') {
              await emptyCart(orderNumber);
              return void res.status(200).json(presentOrder(existing as unknown as OrderView, config));
            }
            if (existing && attempt < 3) {
              // The key named a refused checkout: free it and place the order under a new number.
              await release();
              claimed = await claim();
              continue;
            }
          }
          if (attempt < 3) continue;
        }
        const mapped = updateFailure(err);
        if (mapped) {
          if (mapped.status === 409 || mapped.status === 422 || mapped.status === 503) await release();
          throw mapped;
        }
        throw err;
      }
      await emptyCart(result.orderNumber);
      res.status(202).json({
        order_number: result.orderNumber,
        status: result.status,
        currency: result.currency,
        subtotal: formatMinorUnits(subtotalMinor, result.currency),
        subtotal_minor: subtotalMinor,
        discount: formatMinorUnits(coupon?.discountMinor ?? 0, result.currency),
        discount_minor: coupon?.discountMinor ?? 0,
        total: formatMinorUnits(result.totalMinor, result.currency),
        total_minor: result.totalMinor,
        ...(coupon ? { coupon: { code: coupon.code, discount: formatMinorUnits(coupon.discountMinor, result.currency), discount_minor: coupon.discountMinor } } : {}),
        ...(fromCart ? { from_cart: true } : {}),
        payment: result.payment ? { preference_id: result.payment.preferenceId, init_point: result.payment.initPoint, sandbox_init_point: result.payment.sandboxInitPoint } : null,
        links: { self: `/api/v1/orders/${result.orderNumber}`, execution: executionUrl(config, orderWorkflowId(result.orderNumber)) },
      });
      return;
    }
  };
}
