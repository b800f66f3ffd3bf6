/**
 * One HTTP call to a provider, classified for Temporal's retry policy. Clients never retry by
 * themselves: a transient failure is thrown as a retryable ApplicationFailure (with the provider's
 * Retry-After as the next delay), a permanent one as non-retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { providerCallDuration } from '../../common/prometheus';
import { RATE_LIMITED } from '../../contracts/provider-errors';

/** 4xx answers that are worth retrying: timeout, conflict (idempotency), locked (idempotency key in use), rate limit. */
export const RETRYABLE_4XX = new Set([408, 409, 423, 429]);

/** Retry-After in seconds or as an HTTP date → milliseconds from now (undefined when absent or bad). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function isPermanent(status: number): boolean {
  return status >= 400 && status < 500 && !RETRYABLE_4XX.has(status);
}

export interface ProviderRequest {
  provider: 'mercadopago' | 'gohighlevel' | 'twilio';
  baseUrl: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON, or form-encoded when URLSearchParams (Twilio). */
  body?: unknown;
  timeoutMs?: number;
}

export async function providerCall<T>(req: ProviderRequest): Promise<T> {
  const url = `${req.baseUrl.replace(/\/$/, '')}${req.path}`;
  const what = `${req.provider} ${req.method} ${req.path}`;
  let res: Response;
  const timer = providerCallDuration.startTimer({ provider: req.provider, method: req.method });
  const form = req.body instanceof URLSearchParams;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: { accept: 'application/json', ...(req.body !== undefined ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}), ...req.headers },
      body: req.body === undefined ? undefined : form ? String(req.body) : JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs ?? 15000),
    });
  } catch (err) {
    timer({ status: '0' });
    // Network error or timeout: "their side or the wire", always transient.
    throw ApplicationFailure.create({ message: `${what}: ${(err as Error).message}`, type: 'ProviderUnreachable', details: [{ provider: req.provider }] });
  }
  const text = await res.text();
  timer({ status: String(res.status) });
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text.slice(0, 500);
  }
  if (res.ok) return body as T;

  const providerMessage = typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : String(body ?? '');
  const message = `${what} → ${res.status}: ${providerMessage}`.slice(0, 1000);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  // retryAfterMs travels in the details too: a 429 handed back to a workflow step waits at least that long.
  const details = [{ provider: req.provider, status: res.status, body, retryAfterMs }];
  if (isPermanent(res.status)) {
    throw ApplicationFailure.nonRetryable(message, 'ProviderRejected', ...details);
  }
  throw ApplicationFailure.create({
    message,
    type: res.status === 429 ? RATE_LIMITED : 'ProviderUnavailable',
    details,
    nextRetryDelay: retryAfterMs,
  });
}
