/** Query-string helpers shared by the storefront's listings (products, search, reviews). */
import { z } from 'zod';
import { HttpError } from './errors';

/** A query parameter the endpoint does not know is a 400 naming it (a typo must not be ignored). */
export function refuseUnknownParams(query: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(query).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new HttpError(400, 'invalid_request', `${unknown}: unknown query parameter (known: ${known.join(', ')})`, { field: unknown, in: 'query', issues: [{ field: unknown, message: 'unknown query parameter' }] });
}

/** A decimal amount in major units of the product's currency ("100", "99.90"). */
export const decimalParam = z
  .string()
  .regex(/^\d{1,15}(\.\d{1,4})?$/, 'must be a non-negative decimal amount such as 100 or 99.90')
  .transform(Number);

export const slugParam = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug: lower-case letters and digits joined by single dashes').max(64);

export const pageParams = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const paginationOf = (page: number, limit: number, total: number) => ({ page, limit, total, pages: Math.ceil(total / limit) });

/** price_min above price_max is a 400 naming price_min. */
export function checkPriceRange(min: number | undefined, max: number | undefined, field = 'price_min'): void {
  if (min !== undefined && max !== undefined && min > max) throw new HttpError(400, 'invalid_request', `${field}: must not exceed the maximum price`, { field, in: 'query', issues: [{ field, message: 'must not exceed the maximum price' }] });
}
