/**
 * The product's main job, shown end to end on the running stack:
 * 1. a payment is approved at "MercadoPago" (the sandbox), MercadoPago's signed webhook reaches the
 *    API, the workflow fetches the payment, stores it, tags the payer in "GoHighLevel";
 * 2. a customer signs up and checks out an order: stock is reserved, a payment link is created, the
 *    buyer pays it, MercadoPago notifies, the order is confirmed, the CRM gets a won opportunity and
 *    the confirmation email lands in the sandbox's SMTP sink;
 * 3. the shop: a shopper searches the catalog with a typo and without accents, fills one cart from
 *    two devices (two sign-ins), checks it out with a coupon, pays the discounted total at the
 *    sandbox (the cart is left empty); the order is shipped and delivered, and the shopper reviews
 *    the product (a verified review: only a delivered order's buyer may write one).
 */
import { randomInt } from 'node:crypto';
import type { Config } from '../common/config';
import { sandboxAdmin } from '../sandbox/admin-client';

export interface DemoResult {
  eventId: string;
  paymentId: number;
  ackMs: number;
  processedMs: number;
  paymentStatus: string;
  crmTags: string[];
  executionUrl: string;
}

export async function runMainJob(config: Config, log: (line: string) => void = console.log): Promise<DemoResult> {
  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const admin = sandboxAdmin(`http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);
  const email = `cliente.${randomInt(1e6)}@example.com`;
  const payment = await admin.createPayment({ status: 'approved', transaction_amount: 15999.9, currency_id: 'ARS', payer: { email, first_name: 'Lucía', last_name: 'Pérez' }, external_reference: `DEMO-${randomInt(1e6)}` });
  log(`payment ${payment.id} approved at MercadoPago (sandbox) for ${email}`);

  const started = Date.now();
  const sent = await admin.sendWebhook({ url: `${api}/webhooks/mercadopago`, paymentId: payment.id });
  if (sent.status !== 200) throw new Error(`webhook answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const eventId = sent.body.eventId as string;
  log(`signed webhook ${eventId} acknowledged in ${sent.ms} ms (workflow ${sent.body.workflowId})`);

  const deadline = Date.now() + 60000;
  for (;;) {
    const res = await fetch(`${api}/api/v1/webhook-events/${eventId}`, { headers: { authorization: `Bearer ${config.API_KEYS[0]}` } });
    const ev = res.ok ? ((await res.json()) as any) : undefined;
    if (ev?.status === 'succeeded') {
      const contact = (await admin.contacts()).find((c) => c.email === email);
      const result = { eventId, paymentId: payment.id, ackMs: sent.ms, processedMs: Date.now() - started, paymentStatus: ev.paymentStatus, crmTags: contact?.tags ?? [], executionUrl: ev.execution.url };
      log(`processed in ${result.processedMs} ms: payment ${result.paymentStatus}, CRM contact tagged [${result.crmTags.join(', ')}]`);
      log(`execution: ${result.executionUrl}`);
      await runOrderCheckout(config, log);
      await runCartCheckoutWithCoupon(config, log);
      await runOpsCheck(config, log);
      return result;
    }
    if (ev?.status === 'failed') throw new Error(`event failed at ${ev.failedStep}: ${ev.lastError}`);
    if (Date.now() > deadline) throw new Error(`event ${eventId} not processed within 60 s (last status ${ev?.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30000) });
  const data = (await res.json().catch(() => undefined)) as any;
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${JSON.stringify(data)}`);
  return data;
}

/** The ops view of what just happened: the metrics snapshot and its alert rules, run now. */
async function runOpsCheck(config: Config, log: (line: string) => void) {
  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const { snapshot: s, alerts } = await json('POST', `${api}/api/v1/ops/metrics/check`, {}, { authorization: `Bearer ${config.API_KEYS[0]}` });
  const today = Object.entries(s.financials.total_processed_today as Record<string, number>).map(([cur, v]) => `${cur} ${v}`).join(', ') || 'nothing';
  log(`metrics: ${s.financials.payments_approved} payments approved today (${today}), webhooks last hour ${s.performance.webhooks_last_hour.succeeded} ok / ${s.performance.webhooks_last_hour.failed} failed, ${s.metadata.buckets_read} buckets read in ${s.metadata.computation_ms} ms; incidents opened: ${alerts.filter((a: { outcome: string }) => a.outcome === 'opened').length}`);
}

/** A customer's checkout, paid through the payment link, confirmed by the order workflow. */
async function runOrderCheckout(config: Config, log: (line: string) => void) {
  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const admin = sandboxAdmin(`http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);
  const asAdmin = { authorization: `Bearer ${config.API_KEYS[0]}` };
  const sku = `MATE-${randomInt(1e6)}`;
  await json('POST', `${api}/api/v1/products`, { sku, name: 'Mate imperial de calabaza', price: '24999.90', currency: 'ARS', stock: 5 }, asAdmin);
  const email = `compradora.${randomInt(1e6)}@example.com`;
  const session = await json('POST', `${api}/auth/register`, { email, password: `demo-${randomInt(1e9)}-password`, name: 'Valentina Ruiz' });
  const customer = { authorization: `Bearer ${session.access_token}` };

  const started = Date.now();
  const order = await json('POST', `${api}/api/v1/orders`, { items: [{ sku, quantity: 2 }], shipping_address: { street: 'Av. Santa Fe 3253', city: 'Buenos Aires', postal_code: 'C1425', country: 'AR' } }, customer);
  log(`order ${order.order_number} accepted in ${Date.now() - started} ms: ${order.currency} ${order.total}, pay at ${order.payment.init_point}`);

  await admin.payPreference(order.payment.preference_id, { payer_email: email });
  const deadline = Date.now() + 60000;
  for (;;) {
    const o = await json('GET', `${api}/api/v1/orders/${order.order_number}`, undefined, customer);
    if (o.status === 'confirmed' && o.pending_effects.length === 0) {
      log(`order ${o.order_number} confirmed in ${Date.now() - started} ms: payment ${o.payment.payment_id}, stock committed, CRM opportunity won`);
      const mail = (await admin.mail(email)).find((m) => m.subject.includes(o.order_number));
      if (!mail) throw new Error('no confirmation email in the SMTP sink');
      log(`confirmation email "${mail.subject}" delivered to ${email}`);
      log(`execution: ${o.links.execution}`);
      return;
    }
    if (o.status === 'cancelled' || o.status === 'rejected' || o.failed_steps) throw new Error(`order ${o.order_number}: ${o.status} ${JSON.stringify(o.failed_steps ?? o.cancellation ?? o.rejection)}`);
    if (Date.now() > deadline) throw new Error(`order ${o.order_number} not confirmed within 60 s (status ${o.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The shop: one cart from two devices, checked out with a coupon, paid at the discounted total. */
async function runCartCheckoutWithCoupon(config: Config, log: (line: string) => void) {
  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const admin = sandboxAdmin(`http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);
  const asAdmin = { authorization: `Bearer ${config.API_KEYS[0]}` };
  const n = randomInt(1e6);
  await json('POST', `${api}/api/v1/products`, { sku: `TERMO-${n}`, name: 'Termo térmico de acero 1 l', price: '35000.00', currency: 'ARS', stock: 10 }, asAdmin);
  await json('POST', `${api}/api/v1/products`, { sku: `YERBA-${n}`, name: 'Yerba mate 1 kg', price: '4200.50', currency: 'ARS', stock: 10 }, asAdmin);
  const code = `BIENVENIDA${n}`;
  await json('POST', `${api}/api/v1/coupons`, { code, type: 'percent', value: 15, usage_limit: 100, per_customer_limit: 1 }, asAdmin);
  log(`coupon ${code}: 15 % off, 100 uses, once per customer`);
  // Typed as shoppers type: a letter missing and no accent ("termco" for "térmico").
  const q = `termco acero ${n}`;
  const found = await json('GET', `${api}/api/v1/search/products?q=${encodeURIComponent(q)}`);
  if (!found.results.some((r: any) => r.sku === `TERMO-${n}`)) throw new Error(`search "${q}" did not find TERMO-${n}: ${JSON.stringify(found.results.map((r: any) => r.sku))}`);
  log(`search "${q}": ${found.total} result(s) in ${found.took} ms, first "${found.results[0].name}"; suggestions [${found.suggestions.slice(0, 3).join(', ')}]`);

  const email = `comprador.${n}@example.com`;
  const password = `demo-${randomInt(1e9)}-password`;
  const phone = { authorization: `Bearer ${(await json('POST', `${api}/auth/register`, { email, password, name: 'Martín Gómez' })).access_token}` };
  const laptop = { authorization: `Bearer ${(await json('POST', `${api}/auth/login`, { email, password })).access_token}` };
  await json('POST', `${api}/api/v1/cart/items`, { sku: `TERMO-${n}`, quantity: 1 }, phone);
  await json('POST', `${api}/api/v1/cart/items`, { sku: `YERBA-${n}`, quantity: 2 }, laptop);
  const cart = await json('GET', `${api}/api/v1/cart`, undefined, phone);
  log(`cart (same on both devices): ${cart.items.map((i: any) => `${i.quantity} × ${i.name}`).join(', ')}; subtotal ${cart.currency} ${cart.subtotal}`);

  const started = Date.now();
  const order = await json('POST', `${api}/api/v1/cart/checkout`, { coupon: code, shipping_address: { street: 'Bv. Oroño 1450', city: 'Rosario', postal_code: 'S2000', country: 'AR' } }, laptop);
  log(`order ${order.order_number} from the cart with coupon ${order.coupon.code}: subtotal ${order.currency} ${order.subtotal} − discount ${order.discount} = total ${order.total}`);
  const left = await json('GET', `${api}/api/v1/cart`, undefined, phone);
  if (left.items.length !== 0) throw new Error(`the cart still holds ${left.items.length} line(s) after checkout`);

  const paid = await admin.payPreference(order.payment.preference_id, { payer_email: email });
  const deadline = Date.now() + 60000;
  for (;;) {
    const o = await json('GET', `${api}/api/v1/orders/${order.order_number}`, undefined, phone);
    if (o.status === 'confirmed' && o.pending_effects.length === 0) {
      log(`cart order ${o.order_number} paid ${o.currency} ${paid.payment.transaction_amount} at the sandbox and confirmed in ${Date.now() - started} ms; the cart is empty`);
      await deliverAndReview(api, asAdmin, phone, o.order_number, `TERMO-${n}`, log);
      return;
    }
    if (o.status === 'cancelled' || o.status === 'rejected' || o.failed_steps) throw new Error(`order ${o.order_number}: ${o.status} ${JSON.stringify(o.failed_steps ?? o.cancellation ?? o.rejection)}`);
    if (Date.now() > deadline) throw new Error(`order ${o.order_number} not confirmed within 60 s (status ${o.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The merchant ships and delivers the order; its buyer then writes a verified review. */
async function deliverAndReview(api: string, asAdmin: Record<string, string>, buyer: Record<string, string>, orderNumber: string, sku: string, log: (line: string) => void) {
  for (const body of [{ status: 'processing' }, { status: 'shipped', tracking_number: `AR${randomInt(1e9)}` }, { status: 'delivered' }]) {
    await json('PATCH', `${api}/api/v1/orders/${orderNumber}/status`, body, asAdmin);
  }
  const review = await json('POST', `${api}/api/v1/products/${sku}/reviews`, { rating: 5, title: 'Mantiene el agua caliente', text: 'Llegó rápido y el mate sale a la temperatura justa toda la tarde.' }, buyer);
  log(`order ${orderNumber} delivered; verified review ${review.rating}/5 on ${sku}: product rating ${review.product_rating.average} from ${review.product_rating.count} review(s)`);
}
