import { z } from 'zod';
import { Payment } from '../../domain/persistence/models/payment';
import { requireStaff } from '../auth/principal';
import { validationError } from '../errors';
import { page, pageFilter, pageQuery, pageSort } from '../pagination';
import { apiRouter } from '../request-guards';

const PAYMENT_STATUSES = ['pending', 'approved', 'authorized', 'in_process', 'in_mediation', 'rejected', 'cancelled', 'refunded', 'charged_back'] as const;

export const listQuery = z.object({ status: z.enum(PAYMENT_STATUSES).optional(), ...pageQuery });

/** The payment projection, as MercadoPago last reported each payment. */
export function paymentsRouter() {
  const router = apiRouter();
  router.get('/payments', requireStaff('viewer'), async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { status, since, limit } = q.data;
    const filter = { ...pageFilter('syncedAt', q.data.cursor), ...(status ? { status } : {}), ...(since ? { dateLastUpdated: { $gte: since } } : {}) };
    const docs = await Payment.find(filter, { raw: 0 }).sort(pageSort('syncedAt')).limit(limit + 1).lean();
    const { items, nextCursor } = page(docs, limit, 'syncedAt');
    res.json({ items: items.map(({ _id, ...p }) => p), nextCursor });
  });
  return router;
}
