import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A catalog category (seed 003 §6.2 `categories`), keyed by its slug. `path` is the chain of slugs
 * from the root down to this category, itself included (`['electronica', 'telefonos']`): FerretDB
 * has no $graphLookup, so a product carries its category's path and `{categoryPath: slug}` finds
 * the products of a category and of all its descendants.
 */
const categorySchema = new Schema(
  {
    /** slug */
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String },
    /** The parent's slug; null for a root category. */
    parent: { type: String, default: null },
    path: { type: [String], required: true },
    sortOrder: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'categories', versionKey: false },
);
categorySchema.index({ path: 1 });

export type CategoryDoc = InferSchemaType<typeof categorySchema>;
export const Category: Model<CategoryDoc> = (models.Category as Model<CategoryDoc>) ?? model<CategoryDoc>('Category', categorySchema);

/**
 * One document (`_id: 'catalog'`) whose `token` changes on every catalog write (products,
 * categories, ratings). Each API process polls it by `_id` (the one lookup FerretDB answers from
 * an index) and rescans the recently changed products only when it moved: the search index of
 * every replica follows the catalog within a poll interval. A random token, not a counter:
 * FerretDB's `$inc` is not atomic, and "different from what I saw" is all a reader needs.
 */
const catalogRevisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'catalog_revision', versionKey: false },
);
export type CatalogRevisionDoc = InferSchemaType<typeof catalogRevisionSchema>;
export const CatalogRevision: Model<CatalogRevisionDoc> = (models.CatalogRevision as Model<CatalogRevisionDoc>) ?? model<CatalogRevisionDoc>('CatalogRevision', catalogRevisionSchema);
