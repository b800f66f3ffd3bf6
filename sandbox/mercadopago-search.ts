/**
 * GET /v1/payments/search as MercadoPago documents it: `sort` (date_approved, date_created,
 * date_last_updated, id, money_release_date) and `criteria` (asc|desc); `range` (date_created,
 * date_last_updated, date_approved, money_release_date; default date_created) with `begin_date`
 * (default NOW-3MONTHS) and `end_date` (default NOW), each ISO 8601 or relative (NOW,
 * NOW-<n>DAYS, NOW-<n>MONTHS); only payments of the last twelve months; filters by
 * `external_reference`, `status` and `id`; `offset`/`limit` paging; the answer
 * `{ paging: { total, limit, offset }, results: [payments as GET /v1/payments/{id}] }`.
 * Bad values are refused with 400 and MercadoPago's cause codes (1 Params Error, 1000 rows over
 * the limit, 1001 date format, 1003 sort, 1004 criteria).
 */
import { mpError } from './mercadopago-errors';
import type { SandboxState } from './state';

export const SEARCH_SORTS = ['date_approved', 'date_created', 'date_last_updated', 'id', 'money_release_date'] as const;
export const SEARCH_RANGES = ['date_created', 'date_last_updated', 'date_approved', 'money_release_date'] as const;
export const SEARCH_DEFAULT_LIMIT = 30;
/** Not published by MercadoPago; the sandbox refuses more (cause 1000) so clients page. */
export const SEARCH_MAX_LIMIT = 1000;
const TWELVE_MONTHS_MS = 365 * 86_400_000;

type Query = Record<string, unknown>;
export type SearchError = ReturnType<typeof mpError>;

const badRequest = (code: number, description: string): SearchError => mpError(400, description, 'bad_request', [{ code, description }]);

/** Calendar months back from `now` in UTC (NOW-1MONTH on 31 March is the last day of February). */
function monthsBack(now: Date, months: number): number {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/**
 * A search date: NOW, NOW-<n>DAY(S), NOW-<n>MONTH(S), or ISO 8601 (date, or date-time with optional
 * milliseconds and a Z / ±hh:mm offset; MercadoPago's own example sends unpadded months and days).
 * A date without time is the start of that day (UTC) for begin_date, its end for end_date.
 */
export function parseSearchDate(value: string, edge: 'begin' | 'end', now = new Date()): number | undefined {
  const rel = /^NOW(?:-(\d{1,4})(DAYS?|MONTHS?))?$/i.exec(value);
  if (rel) {
    if (!rel[1]) return now.getTime();
    const n = Number(rel[1]);
    return rel[2].toUpperCase().startsWith('DAY') ? now.getTime() - n * 86_400_000 : monthsBack(now, n);
  }
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ss, ms, tz] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hh === undefined) {
    const start = Date.UTC(Number(y), month - 1, day);
    return edge === 'begin' ? start : start + 86_400_000 - 1;
  }
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  let t = Date.UTC(Number(y), month - 1, day, Number(hh), Number(mm), Number(ss), Number((ms ?? '0').padEnd(3, '0')));
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? String(v[v.length - 1]) : String(v);
}

function nonNegativeInt(v: string | undefined, fallback: number): number | undefined {
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export interface SearchParams {
  sort: (typeof SEARCH_SORTS)[number];
  criteria: 'asc' | 'desc';
  range: (typeof SEARCH_RANGES)[number];
  begin: number;
  end: number;
  offset: number;
  limit: number;
  externalReference?: string;
  status?: string;
  id?: string;
}

export function parseSearch(q: Query, now = new Date()): { params: SearchParams } | { error: SearchError } {
  const sort = single(q, 'sort') ?? 'date_created';
  if (!(SEARCH_SORTS as readonly string[]).includes(sort)) return { error: badRequest(1003, 'Invalid sort value.') };
  const criteria = single(q, 'criteria') ?? 'desc';
  if (criteria !== 'asc' && criteria !== 'desc') return { error: badRequest(1004, 'Invalid criteria value.') };
  const range = single(q, 'range') ?? 'date_created';
  if (!(SEARCH_RANGES as readonly string[]).includes(range)) return { error: badRequest(1, 'Params Error.') };
  const begin = parseSearchDate(single(q, 'begin_date') ?? 'NOW-3MONTHS', 'begin', now);
  const end = parseSearchDate(single(q, 'end_date') ?? 'NOW', 'end', now);
  if (begin === undefined || end === undefined) return { error: badRequest(1001, "Date format must be yyyy-MM-dd'T'HH:mm:ss.SSSZ.") };
  const offset = nonNegativeInt(single(q, 'offset'), 0);
  const limit = nonNegativeInt(single(q, 'limit'), SEARCH_DEFAULT_LIMIT);
  if (offset === undefined || limit === undefined) return { error: badRequest(1, 'Params Error.') };
  if (limit > SEARCH_MAX_LIMIT) return { error: badRequest(1000, 'Number of rows exceeded the limits.') };
  return {
    params: {
      sort: sort as SearchParams['sort'],
      criteria,
      range: range as SearchParams['range'],
      begin,
      end,
      offset,
      limit,
      externalReference: single(q, 'external_reference'),
      status: single(q, 'status'),
      id: single(q, 'id'),
    },
  };
}

function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

export function searchPayments(state: SandboxState, params: SearchParams, now = new Date()) {
  const oldest = now.getTime() - TWELVE_MONTHS_MS;
  const matches = [...state.payments.values()].filter((p) => {
    const created = time(p.date_created);
    if (created === null || created < oldest) return false;
    const at = time(p[params.range]);
    if (at === null || at < params.begin || at > params.end) return false;
    if (params.externalReference !== undefined && p.external_reference !== params.externalReference) return false;
    if (params.status !== undefined && !params.status.split(',').includes(p.status)) return false;
    if (params.id !== undefined && String(p.id) !== params.id) return false;
    return true;
  });
  const key = (p: Record<string, any>) => (params.sort === 'id' ? Number(p.id) : time(p[params.sort]));
  const dir = params.criteria === 'asc' ? 1 : -1;
  matches.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? (Number(a.id) - Number(b.id)) * dir : ka === null ? 1 : -1; // no value: last
    return ka !== kb ? (ka - kb) * dir : (Number(a.id) - Number(b.id)) * dir;
  });
  return {
    paging: { total: matches.length, limit: params.limit, offset: params.offset },
    results: matches.slice(params.offset, params.offset + params.limit),
  };
}
