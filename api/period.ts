import { z } from 'zod';

/**
 * Report periods: `30d`, `12w`, `6m` (back from now) or a calendar month `2026-11` (UTC).
 * Gives the half-open range [from, to).
 */
export const periodSchema = z
  .string()
  .regex(/^(\d{1,4}[dwm]|\d{4}-(0[1-9]|1[0-2]))$/, 'must be like 30d, 12w, 6m or 2026-11')
  .transform((p) => {
    const now = new Date();
    const month = /^(\d{4})-(\d{2})$/.exec(p);
    if (month) {
      const from = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
      return { label: p, from, to: new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)) };
    }
    const n = Number(p.slice(0, -1));
    const unit = p.slice(-1);
    const from = new Date(now);
    if (unit === 'd') from.setUTCDate(from.getUTCDate() - n);
    if (unit === 'w') from.setUTCDate(from.getUTCDate() - 7 * n);
    if (unit === 'm') from.setUTCMonth(from.getUTCMonth() - n);
    return { label: p, from, to: new Date(now.getTime() + 1) };
  });
