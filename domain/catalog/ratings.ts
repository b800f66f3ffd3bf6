/**
 * Verified reviews and the product's rating (seed 003 §1.2 "reseñas y calificaciones verificadas").
 *
 * Verification: the customer has an order in `delivered` containing the sku, as the order
 * workflow last recorded it in the order projection (domain/orders/order-store.ts writes
 * `customer.id`, `items[].sku` and `status` by revision).
 *
 * Rating: FerretDB v1 has no atomic `$inc`, so the product's `{sum, count}` is never incremented;
 * it is recomputed from the reviews collection after every create, edit or hide. Two concurrent
 * recomputations could finish in the wrong order, so each carries `version` = the time it started
 * reading, and a write never replaces a newer version: the last recomputation to start read every
 * review written before it, and it is the one that stays.
 */
import { Order } from '../persistence/models/order';
import { Product, type ProductRating } from '../persistence/models/product';
import { Review } from '../persistence/models/review';
import { bumpCatalogRevision } from './revision';

/** The customer's delivered order containing `sku`, if any (newest first). */
export async function deliveredOrderWith(customerId: string, sku: string): Promise<string | null> {
  // Filtered in code: `items.sku` into an array of documents is outside the subset we rely on.
  const orders = await Order.find({ 'customer.id': customerId, status: 'delivered' }, { items: 1 }).sort({ createdAt: -1 }).lean();
  return orders.find((o) => o.items.some((i) => i.sku === sku))?._id ?? null;
}

export function ratingOf(ratings: number[], version: number): ProductRating {
  const sum = ratings.reduce((a, b) => a + b, 0);
  const count = ratings.length;
  return { sum, count, average: count ? Math.round((sum / count) * 100) / 100 : 0, version };
}

/** Recomputes `sku`'s rating from its visible reviews and stores it unless a newer one is stored. */
export async function recomputeRating(sku: string): Promise<ProductRating> {
  const version = Date.now();
  const visible = await Review.find({ sku, hidden: false }, { rating: 1 }).lean();
  const rating = ratingOf(
    visible.map((r) => r.rating),
    version,
  );
  await Product.updateOne({ _id: sku, $or: [{ 'rating.version': { $exists: false } }, { 'rating.version': { $lte: version } }] }, { $set: { rating, updatedAt: new Date() } });
  await bumpCatalogRevision();
  return rating;
}
