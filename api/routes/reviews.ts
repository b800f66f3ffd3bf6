/**
 * Verified reviews (seed 003 §1.2): a signed-in customer with a delivered order containing the
 * product may review it once (then edit it); the product's rating is recomputed from the visible
 * reviews on every create, edit or hide (domain/catalog/ratings.ts); anyone reads them, paginated;
 * admins hide abusive ones (excluded from the listing and the rating).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { deliveredOrderWith, recomputeRating } from '../../domain/catalog/ratings';
import { Product } from '../../domain/persistence/models/product';
import { Review, type ReviewDoc } from '../../domain/persistence/models/review';
import { insertOnce } from '../../domain/persistence/write-patterns';
import { actorName, principalOf, requireRole, requireUser } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { pageParams, paginationOf, refuseUnknownParams } from '../shop-query';

export const reviewBody = z.object({
  rating: z.number().int().min(1).max(5),
  title: z.string().trim().min(1).max(200).optional(),
  text: z.string().trim().min(1).max(5000),
});
export const reviewsQuery = z.object(pageParams);
export const hideBody = z.object({ hidden: z.boolean() });

const present = (r: Pick<ReviewDoc, 'reviewId' | 'sku' | 'customerName' | 'rating' | 'title' | 'text' | 'createdAt' | 'updatedAt' | 'hidden'>, opts: { staff?: boolean } = {}) => ({
  id: r.reviewId,
  sku: r.sku,
  author: r.customerName ?? 'Cliente',
  rating: r.rating,
  ...(r.title ? { title: r.title } : {}),
  text: r.text,
  verified_purchase: true,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  ...(opts.staff || r.hidden ? { hidden: r.hidden } : {}),
});

async function productOr404(sku: string) {
  const p = await Product.findById(sku, { rating: 1 }).lean();
  if (!p) throw new HttpError(404, 'not_found', `no product ${sku}`, { field: 'sku' });
  return p;
}

export function reviewsRouter() {
  const router = apiRouter();

  router.get('/products/:sku/reviews', async (req, res) => {
    refuseUnknownParams(req.query as Record<string, unknown>, Object.keys(reviewsQuery.shape));
    const q = reviewsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const sku = req.params.sku as string;
    const product = await productOr404(sku);
    const { page, limit } = q.data;
    const filter = { sku, hidden: false };
    const [total, docs] = await Promise.all([Review.countDocuments(filter), Review.find(filter).sort({ createdAt: -1, _id: 1 }).skip((page - 1) * limit).limit(limit).lean()]);
    res.json({ data: docs.map((r) => present(r)), pagination: paginationOf(page, limit, total), rating: { average: product.rating?.average ?? 0, count: product.rating?.count ?? 0 } });
  });

  router.post('/products/:sku/reviews', requireRole('customer'), async (req, res) => {
    const body = reviewBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = requireUser(res);
    const sku = req.params.sku as string;
    await productOr404(sku);
    const orderNumber = await deliveredOrderWith(user.userId, sku);
    if (!orderNumber) throw new HttpError(403, 'not_verified', `only a customer with a delivered order containing ${sku} may review it`, { field: 'sku' });
    const now = new Date();
    const doc = { _id: `${sku}:${user.userId}`, reviewId: randomUUID(), sku, customerId: user.userId, customerName: user.name ?? user.email.split('@')[0], rating: body.data.rating, ...(body.data.title ? { title: body.data.title } : {}), text: body.data.text, orderNumber, hidden: false, createdAt: now, updatedAt: now };
    if (!(await insertOnce(Review, doc))) throw new HttpError(409, 'already_reviewed', `you reviewed ${sku} already; edit it with PUT /api/v1/products/${sku}/reviews/mine`, { field: 'sku' });
    const rating = await recomputeRating(sku);
    res.status(201).json({ ...present(doc), product_rating: { average: rating.average, count: rating.count } });
  });

  router.put('/products/:sku/reviews/mine', requireRole('customer'), async (req, res) => {
    const body = reviewBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = requireUser(res);
    const sku = req.params.sku as string;
    await productOr404(sku);
    const _id = `${sku}:${user.userId}`;
    if (!(await Review.exists({ _id }))) throw new HttpError(404, 'not_found', `you have not reviewed ${sku}`, { field: 'sku' });
    await Review.updateOne({ _id }, { $set: { rating: body.data.rating, text: body.data.text, updatedAt: new Date(), ...(body.data.title ? { title: body.data.title } : {}) }, ...(body.data.title ? {} : { $unset: { title: 1 } }) });
    const rating = await recomputeRating(sku);
    res.json({ ...present((await Review.findById(_id).lean())!), product_rating: { average: rating.average, count: rating.count } });
  });

  /** Hide (or show again) a review: hidden ones leave the listing and the rating. */
  router.patch('/admin/reviews/:id', requireRole('admin'), async (req, res) => {
    const body = hideBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const review = await Review.findOne({ reviewId: req.params.id }).lean();
    if (!review) throw new HttpError(404, 'not_found', `no review ${req.params.id}`, { field: 'id' });
    await Review.updateOne({ _id: review._id }, { $set: { hidden: body.data.hidden, hiddenBy: actorName(principalOf(res)), updatedAt: new Date() } });
    const rating = await recomputeRating(review.sku);
    res.json({ ...present({ ...review, hidden: body.data.hidden }, { staff: true }), product_rating: { average: rating.average, count: rating.count } });
  });

  return router;
}
