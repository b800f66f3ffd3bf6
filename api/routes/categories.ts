/**
 * Categories (seed 003 §6.2): a tree by `parent`, keyed by slug. Anyone may browse; admins create,
 * update (rename, move under another parent) and delete (only an empty leaf). Moving a category
 * moves its subtree and its products' paths (domain/catalog/categories.ts).
 */
import { z } from 'zod';
import { MAX_CATEGORY_DEPTH, moveSubtree, pathUnder, type CategoryRefusal } from '../../domain/catalog/categories';
import { bumpCatalogRevision } from '../../domain/catalog/revision';
import { Category, type CategoryDoc } from '../../domain/persistence/models/category';
import { Product } from '../../domain/persistence/models/product';
import { insertOnce } from '../../domain/persistence/write-patterns';
import { requireRole } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { slugParam } from '../shop-query';

export const categoryBody = z.object({
  slug: slugParam,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  parent: slugParam.nullable().default(null).describe("the parent's slug; null or absent for a root category"),
  sort_order: z.number().int().min(-1_000_000).max(1_000_000).default(0),
});
export const categoryUpdateBody = categoryBody
  .omit({ slug: true })
  .extend({ parent: slugParam.nullable(), sort_order: z.number().int().min(-1_000_000).max(1_000_000) })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');

const REFUSALS: Record<CategoryRefusal['refused'], string> = {
  unknown_parent: 'no such parent category',
  cycle: 'a category cannot be moved under itself or its descendants',
  too_deep: `categories nest at most ${MAX_CATEGORY_DEPTH} levels`,
};
function refuse(r: CategoryRefusal): never {
  throw new HttpError(422, r.refused, `${r.field}: ${REFUSALS[r.refused]}`, { field: r.field });
}

const present = (c: Pick<CategoryDoc, '_id' | 'name' | 'description' | 'parent' | 'path' | 'sortOrder'>) => ({
  slug: c._id,
  name: c.name,
  ...(c.description ? { description: c.description } : {}),
  parent: c.parent ?? null,
  path: c.path,
  sort_order: c.sortOrder,
});

export function categoriesRouter() {
  const router = apiRouter();
  const admin = requireRole('admin');

  /** Every category, roots first then depth-first by sort order: enough to draw the menu. */
  router.get('/categories', async (_req, res) => {
    const docs = await Category.find({}).lean();
    const bySlug = new Map(docs.map((d) => [d._id, d]));
    const key = (d: CategoryDoc & { _id: string }) => d.path.map((s) => `${String(1_000_000 + (bySlug.get(s)?.sortOrder ?? 0)).padStart(8, '0')}:${s}`).join('/');
    res.json({ data: docs.sort((a, b) => key(a).localeCompare(key(b))).map(present) });
  });

  router.get('/categories/:slug', async (req, res) => {
    const c = await Category.findById(req.params.slug).lean();
    if (!c) throw new HttpError(404, 'not_found', `no category ${req.params.slug}`, { field: 'slug' });
    const children = await Category.find({ parent: c._id }).sort({ sortOrder: 1, _id: 1 }).lean();
    res.json({ ...present(c), children: children.map(present) });
  });

  router.post('/categories', admin, async (req, res) => {
    const body = categoryBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const parent = b.parent ? await Category.findById(b.parent, { path: 1 }).lean() : null;
    const path = pathUnder(b.slug, parent, b.parent);
    if (!Array.isArray(path)) refuse(path);
    const now = new Date();
    const doc = { _id: b.slug, name: b.name, ...(b.description ? { description: b.description } : {}), parent: b.parent, path, sortOrder: b.sort_order, createdAt: now, updatedAt: now };
    if (!(await insertOnce(Category, doc))) throw new HttpError(409, 'slug_taken', `category ${b.slug} exists`, { field: 'slug' });
    await bumpCatalogRevision();
    res.status(201).json(present(doc));
  });

  router.patch('/categories/:slug', admin, async (req, res) => {
    const body = categoryUpdateBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const slug = req.params.slug as string;
    const existing = await Category.findById(slug).lean();
    if (!existing) throw new HttpError(404, 'not_found', `no category ${slug}`, { field: 'slug' });
    const { parent, sort_order, ...rest } = body.data;
    if (parent !== undefined && parent !== existing.parent) {
      const parentDoc = parent ? await Category.findById(parent, { path: 1 }).lean() : null;
      const path = pathUnder(slug, parentDoc, parent);
      if (!Array.isArray(path)) refuse(path);
      const depth = Math.max(...(await Category.find({ path: slug }, { path: 1 }).lean()).map((c) => c.path.length - c.path.indexOf(slug)));
      if (path.length - 1 + depth > MAX_CATEGORY_DEPTH) refuse({ refused: 'too_deep', field: 'parent' });
      await moveSubtree(slug, path);
    }
    await Category.updateOne({ _id: slug }, { $set: { ...rest, ...(sort_order !== undefined ? { sortOrder: sort_order } : {}), updatedAt: new Date() } });
    await bumpCatalogRevision();
    res.json(present((await Category.findById(slug).lean())!));
  });

  /** Only an empty leaf: products and subcategories must be moved first (nothing is orphaned). */
  router.delete('/categories/:slug', admin, async (req, res) => {
    const slug = req.params.slug as string;
    if (!(await Category.exists({ _id: slug }))) throw new HttpError(404, 'not_found', `no category ${slug}`, { field: 'slug' });
    if (await Category.exists({ parent: slug })) throw new HttpError(409, 'has_children', `category ${slug} has subcategories`, { field: 'slug' });
    if (await Product.exists({ category: slug })) throw new HttpError(409, 'has_products', `category ${slug} has products`, { field: 'slug' });
    await Category.deleteOne({ _id: slug });
    await bumpCatalogRevision();
    res.status(204).end();
  });

  return router;
}
