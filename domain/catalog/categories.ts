/**
 * Category hierarchy (seed 003 §6.2): each category stores its path of slugs from the root, and
 * each product its category's path, so a listing by category includes the descendants with one
 * equality filter (`{categoryPath: slug}`) on both FerretDB (no $graphLookup) and MongoDB.
 */
import { Category, type CategoryDoc } from '../persistence/models/category';
import { Product } from '../persistence/models/product';
import { bumpCatalogRevision } from './revision';

/** How deep the tree may grow: a path is stored on every product. */
export const MAX_CATEGORY_DEPTH = 6;

export type CategoryRefusal =
  | { refused: 'unknown_parent'; field: 'parent' }
  | { refused: 'cycle'; field: 'parent' }
  | { refused: 'too_deep'; field: 'parent' };

/** The path of a category with slug `slug` under `parent` (null: a root), or why it cannot be. */
export function pathUnder(slug: string, parent: Pick<CategoryDoc, 'path'> | null | undefined, parentSlug: string | null): string[] | CategoryRefusal {
  if (parentSlug === null) return [slug];
  if (!parent) return { refused: 'unknown_parent', field: 'parent' };
  if (parent.path.includes(slug)) return { refused: 'cycle', field: 'parent' };
  if (parent.path.length + 1 > MAX_CATEGORY_DEPTH) return { refused: 'too_deep', field: 'parent' };
  return [...parent.path, slug];
}

/**
 * Moves `slug` (and its subtree) to `newPath`: every descendant's path and every product's
 * categoryPath follow. Not atomic (FerretDB has no transactions): a concurrent reader may see part
 * of the subtree moved for a moment; running it again finishes it (each step is idempotent).
 */
export async function moveSubtree(slug: string, newPath: string[]): Promise<void> {
  const subtree = await Category.find({ path: slug }, { path: 1 }).lean();
  const now = new Date();
  for (const c of subtree) {
    const rest = c.path.slice(c.path.indexOf(slug) + 1);
    const path = [...newPath, ...rest];
    await Category.updateOne({ _id: c._id }, { $set: { path, updatedAt: now, ...(c._id === slug ? { parent: newPath.length > 1 ? newPath[newPath.length - 2] : null } : {}) } });
    await Product.updateMany({ category: c._id }, { $set: { categoryPath: path, updatedAt: now } });
  }
  await bumpCatalogRevision();
}

/** slug → name, for presenting products and search facets. */
export async function categoryNames(): Promise<Map<string, { name: string; path: string[] }>> {
  const docs = await Category.find({}, { name: 1, path: 1 }).lean();
  return new Map(docs.map((c) => [c._id, { name: c.name, path: c.path }]));
}
