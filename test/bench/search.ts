/**
 * Bench phase 5 — storefront search over a generated catalog (10,000 products by default) on the
 * real API process and FerretDB, next to two floors measured in the same run on the same API:
 * a bare `GET /health` (the HTTP stack alone) and a primary-key product read
 * (`GET /api/v1/products/:sku`: one read by `_id` plus its stock and category). Queries mix plain
 * words, accents left out, typos, prefixes and filters. The index load (first search) is reported
 * apart. Usage: npm run bench -- --only search [--search-products 10000 --search-queries 600 --c 16]
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { IntegrationServers } from '../harness/servers';
import { http, startStack } from '../harness/stack';
import { fmt, type Load } from './measure';


const KINDS = ['Teléfono', 'Televisor', 'Auriculares', 'Lámpara', 'Cafetera', 'Mate', 'Bombilla', 'Cargador', 'Funda', 'Parlante', 'Licuadora', 'Heladera', 'Tostadora', 'Mochila', 'Zapatillas', 'Campera', 'Reloj', 'Cámara', 'Teclado', 'Monitor'];
const BRANDS = ['Samsung', 'Motorola', 'Philips', 'Atma', 'Noblex', 'Xiaomi', 'Lenovo', 'Sony', 'Peabody', 'Liliana', 'Gadnic', 'Topper'];
const ADJECTIVES = ['inalámbrico', 'clásico', 'compacto', 'económico', 'premium', 'eléctrico', 'portátil', 'ergonómico', 'térmico', 'básico', 'de acero', 'de cerámica'];
const CATEGORIES = [
  { slug: 'electronica', name: 'Electrónica', parent: null },
  { slug: 'telefonos', name: 'Teléfonos', parent: 'electronica' },
  { slug: 'audio', name: 'Audio', parent: 'electronica' },
  { slug: 'hogar', name: 'Hogar', parent: null },
  { slug: 'cocina', name: 'Cocina', parent: 'hogar' },
  { slug: 'moda', name: 'Moda', parent: null },
];
const QUERIES = ['telefono samsung', 'televisr', 'auriculares inalambricos', 'lampara', 'cafetera atma', 'tele', 'mate de ceramica', 'zapatilas topper', 'reloj', 'camara sony premium'];
const FILTERS = ['', '&filters[category]=electronica', '&filters[price_max]=50000', '&filters[category]=hogar&filters[price_min]=1000'];

export async function benchSearch(servers: IntegrationServers, opts: { products: number; queries: number; c: number; load: Load; pct: (xs: number[], p: number) => number }): Promise<string[]> {
  const { products, queries, c, load, pct } = opts;
  const stack = await startStack(servers, { parts: ['api'], env: { LOG_LEVEL: 'warn', API_KEYS: 'bench-search-api-key-0001' } });
  const db = await mongoose.createConnection(stack.env.MONGODB_URI).asPromise();
  try {
    // The catalog straight into the database (the API would take minutes to create 10,000 one by
    // one here); then the revision token the API's index polls, as a catalog write leaves it.
    const now = Date.now();
    const paths = new Map<string, string[]>();
    for (const cat of CATEGORIES) paths.set(cat.slug, cat.parent ? [...paths.get(cat.parent)!, cat.slug] : [cat.slug]);
    await db.collection('categories').insertMany(CATEGORIES.map((cat, i) => ({ _id: cat.slug, name: cat.name, parent: cat.parent, path: paths.get(cat.slug), sortOrder: i, createdAt: new Date(now), updatedAt: new Date(now) })) as never[]);
    const leaves = ['telefonos', 'audio', 'cocina', 'moda', 'electronica', 'hogar'];
    const docs = Array.from({ length: products }, (_, i) => {
      const kind = KINDS[i % KINDS.length];
      const brand = BRANDS[Math.floor(i / KINDS.length) % BRANDS.length];
      const adjective = ADJECTIVES[Math.floor(i / (KINDS.length * BRANDS.length)) % ADJECTIVES.length];
      const category = leaves[i % leaves.length];
      const at = new Date(now - (products - i) * 1000);
      return {
        _id: `BS-${String(i).padStart(6, '0')}`,
        name: `${kind} ${brand} ${adjective} ${i}`,
        description: `${kind} ${adjective} de ${brand}, modelo ${i}, ideal para el día a día.`,
        priceMinor: 1000 + ((i * 7919) % 9_000_000),
        currency: 'ARS',
        active: true,
        images: [`https://cdn.example.com/bs/${i}.jpg`],
        category,
        categoryPath: paths.get(category),
        rating: { sum: 0, count: 0, average: 0, version: 0 },
        createdAt: at,
        updatedAt: at,
      };
    });
    for (let i = 0; i < docs.length; i += 1000) await db.collection('products').insertMany(docs.slice(i, i + 1000) as never[]);
    await db.collection('catalog_revision').insertOne({ _id: 'catalog', token: randomUUID(), at: new Date() } as never);

    const base = stack.apiUrl;
    const t0 = performance.now();
    const first = await http('GET', `${base}/api/v1/search/products?q=mate`, { timeoutMs: 300_000 });
    if (first.status !== 200) throw new Error(`first search ${first.status}: ${first.text}`);
    const loadMs = performance.now() - t0;

    const search = async (i: number) => {
      const q = QUERIES[i % QUERIES.length];
      const res = await fetch(`${base}/api/v1/search/products?q=${encodeURIComponent(q)}${FILTERS[Math.floor(i / QUERIES.length) % FILTERS.length]}`);
      if (res.status !== 200) throw new Error(`search ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const byKey = async (i: number) => {
      const res = await fetch(`${base}/api/v1/products/BS-${String((i * 7) % products).padStart(6, '0')}`);
      if (res.status !== 200) throw new Error(`product ${res.status}`);
      await res.arrayBuffer();
    };
    const health = async () => {
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
    };
    // Warm-up, then each path in turn (the same count and concurrency).
    await load(50, c, search);
    await load(50, c, byKey);
    await load(50, c, health);
    const h = await load(queries, c, health);
    const k = await load(queries, c, byKey);
    const s = await load(queries, c, search);
    const totals = await Promise.all(QUERIES.map(async (q) => (await http('GET', `${base}/api/v1/search/products?q=${encodeURIComponent(q)}&limit=1`)).body.total as number));
    const row = (name: string, r: { lat: number[]; wallMs: number }) => `| ${name} | ${fmt(pct(r.lat, 50))} | ${fmt(pct(r.lat, 95))} | ${fmt((queries / r.wallMs) * 1000)} |`;
    return [
      `### Search — ${products} products, ${queries} requests per path, concurrency ${c}`,
      '',
      `Index load (first search, reads the whole catalog into MiniSearch): ${fmt(loadMs)} ms. Matches per query: ${QUERIES.map((q, i) => `"${q}" ${totals[i]}`).join(', ')}.`,
      '',
      '| path | p50 ms | p95 ms | requests /s |',
      '| --- | ---: | ---: | ---: |',
      row('`GET /health` (floor: the HTTP stack)', h),
      row('`GET /api/v1/products/:sku` (floor: a primary-key read)', k),
      row('`GET /api/v1/search/products` (typos, accents, prefixes, filters; facets)', s),
      `| **ratio search / primary-key read** | **${(pct(s.lat, 50) / pct(k.lat, 50)).toFixed(2)}×** | **${(pct(s.lat, 95) / pct(k.lat, 95)).toFixed(2)}×** | |`,
      '',
    ];
  } finally {
    await db.close();
    await stack.stop();
  }
}
