/**
 * The storefront's catalog end to end on the real stack (Temporal dev server + FerretDB + sandbox +
 * worker + API), over HTTP as shoppers and admins would: categories and the listing by category
 * (descendants included) with totals and every sort; search with a typo and without accents,
 * facets and suggestions; archive and replace; a second and third API process (in-process, same
 * database) whose search follows a write made through another within seconds; verified reviews
 * after an order driven to delivered; and bad input to every new endpoint answered 4xx naming the
 * field.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { parseConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createTemporalClient } from '../../common/temporal';
import { connectMongo, disconnectMongo } from '../../domain/persistence/connection';
import { waitFor } from '../../infra/processes';
import { sandboxAdmin } from '../../sandbox/admin-client';
import { e2eContext, http, type RunningStack } from '../harness/stack';

const KEY = 'shop-e2e-admin-key-0000001';
const asAdmin = { authorization: `Bearer ${KEY}` };
let ctx: Awaited<ReturnType<typeof e2eContext>>;
let stack: RunningStack;
let sandbox: ReturnType<typeof sandboxAdmin>;

before(async () => {
  ctx = await e2eContext({ env: { API_KEYS: KEY, SEARCH_REFRESH_MS: '300' } });
  stack = ctx.stack;
  sandbox = sandboxAdmin(stack.sandboxUrl);
});
after(async () => {
  await ctx?.stop();
});

const api = (p: string) => `${stack.apiUrl}${p}`;
const get = (p: string, headers: Record<string, string> = {}) => http('GET', api(p), { headers });
const asAdminDo = (method: string, p: string, body?: unknown) => http(method, api(p), { headers: asAdmin, body });
const skus = (res: { body: any }) => res.body.data.map((p: any) => p.sku);
const address = { street: 'Av. Corrientes 1234', city: 'Buenos Aires', postal_code: 'C1043', country: 'AR' };

/** A 4xx whose error names `field`. */
function refused(res: { status: number; body: any; text: string }, status: number, field: string, what: string) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(res.body.error.field, field, `${what}: ${res.text}`);
}

let userSeq = 0;
async function customer() {
  const email = `shopper${++userSeq}.${Date.now()}@example.com`;
  const res = await http('POST', api('/auth/register'), { body: { email, password: 'contraseña-segura-1', name: `Compradora ${userSeq}` } });
  assert.equal(res.status, 201, res.text);
  return { email, headers: { authorization: `Bearer ${res.body.access_token}` } };
}

async function category(slug: string, name: string, parent: string | null = null) {
  const res = await asAdminDo('POST', '/api/v1/categories', { slug, name, parent });
  assert.equal(res.status, 201, res.text);
  return res.body;
}
async function product(sku: string, name: string, price: string, cat: string | null, extra: Record<string, unknown> = {}) {
  const res = await asAdminDo('POST', '/api/v1/products', { sku, name, price, currency: 'ARS', stock: 10, category: cat, ...extra });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

test('categories: a tree; the listing by category includes descendants, with totals, every sort and the price window', async () => {
  await category('electronica', 'Electrónica');
  await category('telefonos', 'Teléfonos', 'electronica');
  await category('accesorios', 'Accesorios', 'electronica');
  await category('hogar', 'Hogar');
  refused(await asAdminDo('POST', '/api/v1/categories', { slug: 'telefonos', name: 'Otra vez' }), 409, 'slug', 'duplicate slug');
  refused(await asAdminDo('POST', '/api/v1/categories', { slug: 'Mal Slug', name: 'x' }), 400, 'slug', 'not a slug');
  refused(await asAdminDo('POST', '/api/v1/categories', { slug: 'huerfana', name: 'x', parent: 'no-existe' }), 422, 'parent', 'unknown parent');
  refused(await asAdminDo('POST', '/api/v1/categories', { slug: 'sin-nombre' }), 400, 'name', 'no name');
  refused(await asAdminDo('PATCH', '/api/v1/categories/electronica', { parent: 'telefonos' }), 422, 'parent', 'a cycle');
  refused(await asAdminDo('PATCH', '/api/v1/categories/electronica', {}), 400, 'body', 'nothing to update');
  refused(await asAdminDo('PATCH', '/api/v1/categories/no-existe', { name: 'x' }), 404, 'slug', 'unknown category');
  assert.equal((await http('POST', api('/api/v1/categories'), { body: { slug: 'anon', name: 'x' } })).status, 401);

  const tree = await get('/api/v1/categories');
  assert.deepEqual(
    tree.body.data.map((c: any) => c.path.join('/')),
    ['electronica', 'electronica/accesorios', 'electronica/telefonos', 'hogar'],
  );
  const electronica = await get('/api/v1/categories/electronica');
  assert.deepEqual(electronica.body.children.map((c: any) => c.slug), ['accesorios', 'telefonos']);

  await product('TEL-1', 'Teléfono Samsung Galaxy', '599.99', 'telefonos', { description: 'El mejor de los teléfonos Android', images: ['https://cdn.example.com/tel-1.jpg'] });
  await product('TEL-2', 'Teléfono Motorola Edge', '350.00', 'telefonos');
  await product('ACC-1', 'Funda para teléfono', '20.00', 'accesorios');
  await product('ELE-1', 'Televisor 50 pulgadas', '1200.00', 'electronica');
  await product('HOG-1', 'Lámpara de mesa', '80.00', 'hogar');
  refused(await asAdminDo('POST', '/api/v1/products', { sku: 'BAD-CAT', name: 'x', price: '1', currency: 'ARS', category: 'no-existe' }), 422, 'category', 'unknown category');
  refused(await asAdminDo('POST', '/api/v1/products', { sku: 'BAD-IMG', name: 'x', price: '1', currency: 'ARS', images: ['ftp://example.com/a.jpg'] }), 400, 'images.0', 'not an http(s) URL');
  assert.equal((await get('/api/v1/products/BAD-CAT')).status, 404, 'a refused product is not stored');

  const all = await get('/api/v1/products?category=electronica&limit=3');
  assert.deepEqual(all.body.pagination, { page: 1, limit: 3, total: 4, pages: 2 }, 'descendants included');
  const second = await get('/api/v1/products?category=electronica&limit=3&page=2');
  assert.equal(second.body.data.length, 1);
  assert.equal(new Set([...skus(all), ...skus(second)]).size, 4);
  const tel = (await get('/api/v1/products?category=telefonos')).body;
  assert.equal(tel.pagination.total, 2);
  const first = tel.data.find((p: any) => p.sku === 'TEL-1');
  assert.deepEqual([first.category, first.images, first.rating, first.stock.available], [{ slug: 'telefonos', name: 'Teléfonos' }, ['https://cdn.example.com/tel-1.jpg'], { average: 0, count: 0 }, 10]);

  const sorted = async (sort: string) => skus(await get(`/api/v1/products?category=electronica&sort=${sort}`));
  assert.deepEqual(await sorted('price_asc'), ['ACC-1', 'TEL-2', 'TEL-1', 'ELE-1']);
  assert.deepEqual(await sorted('price_desc'), ['ELE-1', 'TEL-1', 'TEL-2', 'ACC-1']);
  assert.deepEqual(await sorted('newest'), ['ELE-1', 'ACC-1', 'TEL-2', 'TEL-1']);
  const byName = (await get('/api/v1/products?category=electronica&sort=name')).body.data.map((p: any) => p.name);
  assert.deepEqual(byName, [...byName].sort());
  assert.deepEqual(skus(await get('/api/v1/products?category=electronica&price_min=100&price_max=600&sort=price_asc')), ['TEL-2', 'TEL-1']);
  assert.deepEqual(skus(await get('/api/v1/products?search=lampara')), ['HOG-1'], 'the listing searches too, accents folded');

  // Bad parameters: 400 naming each.
  refused(await get('/api/v1/products?sort=cheapest'), 400, 'sort', 'unknown sort');
  refused(await get('/api/v1/products?page=0'), 400, 'page', 'page 0');
  refused(await get('/api/v1/products?limit=1000'), 400, 'limit', 'limit too large');
  refused(await get('/api/v1/products?price_min=abc'), 400, 'price_min', 'not an amount');
  refused(await get('/api/v1/products?price_min=500&price_max=100'), 400, 'price_min', 'empty window');
  refused(await get('/api/v1/products?category=no-existe'), 400, 'category', 'unknown category');
  refused(await get('/api/v1/products?category=Mal%20Slug'), 400, 'category', 'not a slug');
  refused(await get('/api/v1/products?colour=red'), 400, 'colour', 'unknown parameter');

  // Moving a category moves its products' paths; only an empty leaf can be deleted.
  await category('cables', 'Cables', 'electronica');
  await product('CAB-1', 'Cable USB-C', '15.00', 'cables');
  assert.equal((await get('/api/v1/products?category=electronica')).body.pagination.total, 5);
  const moved = await asAdminDo('PATCH', '/api/v1/categories/cables', { parent: 'hogar', name: 'Cables y enchufes' });
  assert.deepEqual([moved.status, moved.body.path, moved.body.name], [200, ['hogar', 'cables'], 'Cables y enchufes']);
  assert.equal((await get('/api/v1/products?category=electronica')).body.pagination.total, 4);
  assert.deepEqual(skus(await get('/api/v1/products?category=hogar&sort=price_asc')), ['CAB-1', 'HOG-1']);
  refused(await asAdminDo('DELETE', '/api/v1/categories/electronica'), 409, 'slug', 'has children');
  refused(await asAdminDo('DELETE', '/api/v1/categories/cables'), 409, 'slug', 'has products');
  await category('vacia', 'Vacía');
  assert.equal((await asAdminDo('DELETE', '/api/v1/categories/vacia')).status, 204);
  assert.equal((await get('/api/v1/categories/vacia')).status, 404);
});

test('search: a typo and a missing accent still find, with category and price facets and suggestions', async () => {
  const search = (qs: string) => get(`/api/v1/search/products?${qs}`);
  const accentless = await search('q=telefono');
  assert.equal(accentless.status, 200, accentless.text);
  assert.deepEqual(accentless.body.results.map((r: any) => r.sku).sort(), ['ACC-1', 'TEL-1', 'TEL-2']);
  assert.equal(accentless.body.total, 3);
  assert.equal(typeof accentless.body.took, 'number');
  assert.deepEqual(accentless.body.aggregations.categories, [
    { slug: 'telefonos', name: 'Teléfonos', count: 2 },
    { slug: 'accesorios', name: 'Accesorios', count: 1 },
  ]);
  const ranges = Object.fromEntries(accentless.body.aggregations.price_ranges.map((r: any) => [`${r.from}-${r.to ?? ''}`, r.count]));
  assert.deepEqual([ranges['0-100'], ranges['100-500'], ranges['500-1000'], ranges['1000-5000']], [1, 1, 1, 0]);
  assert.ok(accentless.body.results[0].stock.available === 10 && 'rating' in accentless.body.results[0]);

  const typo = await search('q=telefnos');
  assert.ok(typo.body.results.some((r: any) => r.sku === 'TEL-1'), `"telefnos" finds "teléfonos": ${typo.text}`);
  assert.deepEqual((await search('q=LAMPARA')).body.results.map((r: any) => r.sku), ['HOG-1']);
  assert.deepEqual((await search('q=samsng%20galaxy')).body.results.map((r: any) => r.sku), ['TEL-1'], 'every word must match, typos allowed');

  const filtered = await search('q=telefono&filters[category]=telefonos&filters[price_max]=400');
  assert.deepEqual(filtered.body.results.map((r: any) => r.sku), ['TEL-2']);
  const cheap = await search('q=telefono&filters[price_min]=0&filters[price_max]=100');
  assert.deepEqual(cheap.body.results.map((r: any) => r.sku), ['ACC-1']);
  const paged = await search('q=telefono&limit=2&page=2');
  assert.deepEqual([paged.body.results.length, paged.body.total, paged.body.pagination.pages], [1, 3, 2]);

  const suggestions = await get('/api/v1/search/suggestions?q=telef');
  assert.equal(suggestions.status, 200, suggestions.text);
  assert.ok(suggestions.body.suggestions.length > 0 && suggestions.body.suggestions.every((s: string) => s.startsWith('tel')), suggestions.text);
  assert.ok(suggestions.body.products.some((p: any) => p.sku === 'TEL-1'));
  assert.ok(accentless.body.suggestions.length > 0, 'the search answers suggestions too');

  refused(await get('/api/v1/search/products'), 400, 'q', 'no q');
  refused(await get('/api/v1/search/products?q='), 400, 'q', 'empty q');
  refused(await get('/api/v1/search/products?q=a&filters[price_min]=x'), 400, 'filters[price_min]', 'bad price');
  refused(await get('/api/v1/search/products?q=a&filters[price_min]=9&filters[price_max]=1'), 400, 'filters[price_min]', 'empty window');
  refused(await get('/api/v1/search/products?q=a&filters[category]=no-existe'), 400, 'filters[category]', 'unknown category');
  refused(await get('/api/v1/search/products?q=a&filters[colour]=red'), 400, 'filters[colour]', 'unknown filter');
  refused(await get(`/api/v1/search/products?q=${'a'.repeat(201)}`), 400, 'q', 'q too long');
  refused(await get('/api/v1/search/suggestions'), 400, 'q', 'no q');
  refused(await get('/api/v1/search/suggestions?q=tel&limit=0'), 400, 'limit', 'limit 0');
});

test('archive and replace: an archived product leaves the shop and search, stays readable, and checkout refuses it with 422', async () => {
  const archived = await asAdminDo('DELETE', '/api/v1/products/TEL-2');
  assert.deepEqual([archived.status, archived.body.archived, archived.body.active], [200, true, false]);
  assert.equal((await get('/api/v1/search/products?q=motorola')).body.total, 0);
  assert.deepEqual(skus(await get('/api/v1/products?category=telefonos')), ['TEL-1']);
  assert.equal((await get('/api/v1/products/TEL-2')).body.archived, true, 'kept for past orders');
  refused(await asAdminDo('PATCH', '/api/v1/products/TEL-2', { name: 'Revivido' }), 409, 'sku', 'archived: no updates');
  refused(await asAdminDo('PUT', '/api/v1/products/TEL-2', { name: 'Revivido', price: '1', currency: 'ARS' }), 409, 'sku', 'archived: no replace');
  refused(await asAdminDo('DELETE', '/api/v1/products/NOPE-1'), 404, 'sku', 'unknown sku');
  const c = await customer();
  const order = await http('POST', api('/api/v1/orders'), { headers: c.headers, body: { items: [{ sku: 'TEL-2', quantity: 1 }], shipping_address: address } });
  refused(order, 422, 'items.0.sku', 'an archived sku cannot be ordered');

  const replaced = await asAdminDo('PUT', '/api/v1/products/TEL-1', { name: 'Teléfono Samsung Galaxy S24', price: '649.90', currency: 'ARS', category: 'telefonos', images: ['https://cdn.example.com/s24.jpg'] });
  assert.equal(replaced.status, 200, replaced.text);
  assert.deepEqual([replaced.body.name, replaced.body.price, replaced.body.description, replaced.body.images, replaced.body.stock.available], ['Teléfono Samsung Galaxy S24', '649.90', undefined, ['https://cdn.example.com/s24.jpg'], 10]);
  assert.ok((await get('/api/v1/search/products?q=s24')).body.results.some((r: any) => r.sku === 'TEL-1'));
  refused(await asAdminDo('PUT', '/api/v1/products/TEL-1', { name: 'x', currency: 'ARS' }), 400, 'price', 'price missing');
  refused(await asAdminDo('PUT', '/api/v1/products/TEL-1', { name: 'x', price: '1', currency: 'ARS', category: 'no-existe' }), 422, 'category', 'unknown category');
  refused(await asAdminDo('PUT', '/api/v1/products/TEL-1', { name: 'x', price: '1', currency: 'ARS', images: ['javascript:alert(1)'] }), 400, 'images.0', 'bad image');
  refused(await asAdminDo('PUT', '/api/v1/products/NOPE-1', { name: 'x', price: '1', currency: 'ARS' }), 404, 'sku', 'unknown sku');
  assert.equal((await http('PUT', api('/api/v1/products/TEL-1'), { headers: c.headers, body: { name: 'x', price: '1', currency: 'ARS' } })).status, 403);
  assert.equal((await http('DELETE', api('/api/v1/products/TEL-1'), { headers: c.headers })).status, 403);
});

test('replicas: a product written through one API process is searchable through another within seconds', async () => {
  await connectMongo({ MONGODB_URI: stack.env.MONGODB_URI });
  const servers: Server[] = [];
  try {
    const start = async () => {
      const config = parseConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: '127.0.0.1:1', API_KEYS: KEY, MONGODB_URI: stack.env.MONGODB_URI, SEARCH_REFRESH_MS: '300', RATE_LIMIT_SEARCH_PER_MINUTE: '1000000', RATE_LIMIT_GENERAL_PER_HOUR: '1000000', RATE_LIMIT_ADMIN_PER_HOUR: '1000000' });
      const server = createApp({ config, temporal: createTemporalClient(config), log: createLogger('test', 'silent'), version: 'test' }).listen(0, '127.0.0.1');
      servers.push(server);
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const [one, two] = [await start(), await start()];
    const find = async (base: string, q: string) => (await http('GET', `${base}/api/v1/search/products?q=${encodeURIComponent(q)}`)).body.results.map((r: any) => r.sku);
    // Both indexes loaded before the write, so only the refresh can bring it to the second.
    assert.deepEqual(await find(one, 'yerbera'), []);
    assert.deepEqual(await find(two, 'yerbera'), []);

    const created = await http('POST', `${one}/api/v1/products`, { headers: asAdmin, body: { sku: 'YER-1', name: 'Yerbera de cerámica', price: '45.00', currency: 'ARS', stock: 3, category: 'hogar' } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(await find(one, 'yerbera'), ['YER-1'], 'the writing process sees its own write at once');
    await waitFor('the other process to find the new product', async () => assert.deepEqual(await find(two, 'yerbera ceramica'), ['YER-1']), { timeoutMs: 20_000, intervalMs: 200 });
    await waitFor('the stack API process too', async () => assert.deepEqual(await find(stack.apiUrl, 'yerbera'), ['YER-1']), { timeoutMs: 20_000, intervalMs: 200 });

    assert.equal((await http('PATCH', `${one}/api/v1/products/YER-1`, { headers: asAdmin, body: { name: 'Azucarera de cerámica' } })).status, 200);
    await waitFor('the rename to reach the other process', async () => {
      assert.deepEqual(await find(two, 'azucarera'), ['YER-1']);
      assert.deepEqual(await find(two, 'yerbera'), []);
    }, { timeoutMs: 20_000, intervalMs: 200 });

    assert.equal((await http('DELETE', `${one}/api/v1/products/YER-1`, { headers: asAdmin })).status, 200);
    await waitFor('the archive to reach the other process', async () => assert.deepEqual(await find(two, 'azucarera'), []), { timeoutMs: 20_000, intervalMs: 200 });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections()))));
    await disconnectMongo();
  }
});

test('reviews: only after a delivered order (403 before), once per customer (409), editable; rating and sort; admins hide', async () => {
  await product('REV-1', 'Mate imperial de calabaza', '250.00', 'hogar');
  const buyer = await customer();
  const stranger = await customer();
  const review = (who: { headers: Record<string, string> }, body: unknown, sku = 'REV-1') => http('POST', api(`/api/v1/products/${sku}/reviews`), { headers: who.headers, body });
  const good = { rating: 4, title: 'Muy bueno', text: 'Llegó bien y ceba rico.' };

  refused(await review(stranger, good), 403, 'sku', 'no order at all');
  assert.equal((await review(stranger, good)).body.error.code, 'not_verified');
  assert.equal((await http('POST', api('/api/v1/products/REV-1/reviews'), { body: good })).status, 401);
  assert.equal((await http('POST', api('/api/v1/products/REV-1/reviews'), { headers: asAdmin, body: good })).status, 403, 'an API key is not a customer');

  // Drive an order to delivered: pay it in the sandbox, then processing → shipped → delivered.
  const placed = await http('POST', api('/api/v1/orders'), { headers: buyer.headers, body: { items: [{ sku: 'REV-1', quantity: 1 }], shipping_address: address } });
  assert.equal(placed.status, 202, placed.text);
  const number = placed.body.order_number as string;
  await sandbox.payPreference(placed.body.payment.preference_id, { payer_email: buyer.email });
  const statusIs = (s: string) =>
    waitFor(`order ${number} ${s}`, async () => {
      const o = (await get(`/api/v1/orders/${number}`, buyer.headers)).body;
      if (o?.status !== s) throw new Error(`status ${o?.status}`);
    }, { timeoutMs: 60_000 });
  await statusIs('confirmed');
  refused(await review(buyer, good), 403, 'sku', 'paid but not delivered yet');
  for (const body of [{ status: 'processing' }, { status: 'shipped', tracking_number: 'AR000111222' }, { status: 'delivered' }]) {
    const moved = await asAdminDo('PATCH', `/api/v1/orders/${number}/status`, body);
    assert.equal(moved.status, 200, moved.text);
  }
  await statusIs('delivered');

  // Bad input first: nothing is stored.
  refused(await review(buyer, { ...good, rating: 6 }), 400, 'rating', 'rating above 5');
  refused(await review(buyer, { ...good, rating: 0 }), 400, 'rating', 'rating below 1');
  refused(await review(buyer, { ...good, rating: 4.5 }), 400, 'rating', 'rating not whole');
  refused(await review(buyer, { rating: 4 }), 400, 'text', 'no text');
  refused(await review(buyer, { ...good, text: 'x'.repeat(5001) }), 400, 'text', 'text too long');
  refused(await review(buyer, good, 'NOPE-1'), 404, 'sku', 'unknown product');
  assert.equal((await get('/api/v1/products/REV-1/reviews')).body.pagination.total, 0);

  const posted = await review(buyer, good);
  assert.equal(posted.status, 201, posted.text);
  assert.deepEqual([posted.body.rating, posted.body.verified_purchase, posted.body.product_rating], [4, true, { average: 4, count: 1 }]);
  const again = await review(buyer, { rating: 1, text: 'otra' });
  assert.deepEqual([again.status, again.body.error.code], [409, 'already_reviewed']);
  assert.deepEqual((await get('/api/v1/products/REV-1')).body.rating, { average: 4, count: 1 });

  const edited = await http('PUT', api('/api/v1/products/REV-1/reviews/mine'), { headers: buyer.headers, body: { rating: 5, text: 'Mejor de lo que pensaba.' } });
  assert.deepEqual([edited.status, edited.body.rating, edited.body.title, edited.body.product_rating], [200, 5, undefined, { average: 5, count: 1 }]);
  refused(await http('PUT', api('/api/v1/products/REV-1/reviews/mine'), { headers: stranger.headers, body: good }), 404, 'sku', 'no review to edit');
  refused(await http('PUT', api('/api/v1/products/REV-1/reviews/mine'), { headers: buyer.headers, body: { rating: 'five', text: 'x' } }), 400, 'rating', 'rating not a number');

  const listed = await get('/api/v1/products/REV-1/reviews?limit=10');
  assert.deepEqual([listed.body.pagination, listed.body.data[0].text, listed.body.rating], [{ page: 1, limit: 10, total: 1, pages: 1 }, 'Mejor de lo que pensaba.', { average: 5, count: 1 }]);
  refused(await get('/api/v1/products/REV-1/reviews?page=0'), 400, 'page', 'page 0');
  refused(await get('/api/v1/products/REV-1/reviews?sort=best'), 400, 'sort', 'unknown parameter');
  refused(await get('/api/v1/products/NOPE-1/reviews'), 404, 'sku', 'unknown product');
  // sort=rating puts the rated product first.
  assert.equal(skus(await get('/api/v1/products?category=hogar&sort=rating'))[0], 'REV-1');

  const id = posted.body.id as string;
  refused(await asAdminDo('PATCH', `/api/v1/admin/reviews/${id}`, { hidden: 'yes' }), 400, 'hidden', 'hidden not a boolean');
  refused(await asAdminDo('PATCH', '/api/v1/admin/reviews/no-such-review', { hidden: true }), 404, 'id', 'unknown review');
  assert.equal((await http('PATCH', api(`/api/v1/admin/reviews/${id}`), { headers: buyer.headers, body: { hidden: true } })).status, 403);
  const hidden = await asAdminDo('PATCH', `/api/v1/admin/reviews/${id}`, { hidden: true });
  assert.deepEqual([hidden.status, hidden.body.hidden, hidden.body.product_rating], [200, true, { average: 0, count: 0 }]);
  assert.equal((await get('/api/v1/products/REV-1/reviews')).body.pagination.total, 0, 'hidden reviews leave the listing');
  assert.deepEqual((await get('/api/v1/products/REV-1')).body.rating, { average: 0, count: 0 }, 'and the rating');
  const shown = await asAdminDo('PATCH', `/api/v1/admin/reviews/${id}`, { hidden: false });
  assert.deepEqual(shown.body.product_rating, { average: 5, count: 1 });
});
