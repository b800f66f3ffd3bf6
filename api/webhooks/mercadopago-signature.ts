/**
 * x-signature verification for MercadoPago webhooks, failing closed. The header is parsed once,
 * strictly (keys case-insensitive, whitespace around parts tolerated): exactly one `ts` and one
 * `v1`, `ts` all digits, or the delivery is refused as malformed. The HMAC is the official SDK's
 * validator, handed a canonical header rebuilt from those same two values, so the timestamp the
 * replay window checks is the one the HMAC covers. Around it we handle the two unsettled points of
 * ../shared/providers.md: an alphanumeric data.id may be signed as sent or lowercased (accept
 * either), and `ts` may be in seconds or milliseconds (the window understands both, past and future).
 */
import { InvalidWebhookSignatureError, WebhookSignatureValidator } from 'mercadopago';

export type SignatureCheck = { ok: true; ts: number } | { ok: false; reason: SignatureFailure };

export type SignatureFailure =
  | 'MissingSignatureHeader'
  | 'MalformedSignatureHeader'
  | 'DuplicateSignatureField'
  | 'MissingTimestamp'
  | 'MissingHash'
  | 'SignatureMismatch'
  | 'TimestampOutOfTolerance';

/** ts values above this are milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;
/** More digits than any real timestamp in ms (16 digits is the year 318857). */
const TS_PATTERN = /^\d{1,16}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/i;

/** The header's `ts` and `v1`, or why it is not a signature header we accept. */
export function parseSignatureHeader(header: string | undefined): { ts: string; v1: string } | { failure: SignatureFailure } {
  if (header === undefined || header.trim() === '') return { failure: 'MissingSignatureHeader' };
  const fields = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return { failure: 'MalformedSignatureHeader' };
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (!key) return { failure: 'MalformedSignatureHeader' };
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  const ts = fields.get('ts');
  const v1 = fields.get('v1');
  if ((ts?.length ?? 0) > 1 || (v1?.length ?? 0) > 1) return { failure: 'DuplicateSignatureField' };
  if (!ts) return { failure: v1 ? 'MissingTimestamp' : 'MalformedSignatureHeader' };
  if (!v1) return { failure: 'MissingHash' };
  if (!TS_PATTERN.test(ts[0]) || !HASH_PATTERN.test(v1[0])) return { failure: 'MalformedSignatureHeader' };
  return { ts: ts[0], v1: v1[0] };
}

/** Refusals of the header's form (401 `malformed_signature`), as opposed to a wrong or stale signature. */
export const MALFORMED_SIGNATURE: ReadonlySet<SignatureFailure> = new Set(['MissingSignatureHeader', 'MalformedSignatureHeader', 'DuplicateSignatureField', 'MissingTimestamp', 'MissingHash']);
const refuse = (reason: SignatureFailure): SignatureCheck => ({ ok: false, reason });

export function verifyMercadoPagoSignature(input: {
  xSignature: string | undefined;
  xRequestId: string | undefined;
  dataId: string | undefined;
  secret: string;
  toleranceSeconds: number;
  now?: number;
}): SignatureCheck {
  const parsed = parseSignatureHeader(input.xSignature);
  if ('failure' in parsed) return refuse(parsed.failure);

  const raw = Number(parsed.ts);
  const tsMs = raw > MS_THRESHOLD ? raw : raw * 1000;
  const driftSeconds = Math.abs((input.now ?? Date.now()) - tsMs) / 1000;
  if (!Number.isFinite(driftSeconds) || driftSeconds > input.toleranceSeconds) return refuse('TimestampOutOfTolerance');

  const canonical = `ts=${parsed.ts},v1=${parsed.v1}`;
  const candidates = [input.dataId];
  if (input.dataId && input.dataId !== input.dataId.toLowerCase()) candidates.push(input.dataId.toLowerCase());
  for (const dataId of candidates) {
    try {
      WebhookSignatureValidator.validate({ xSignature: canonical, xRequestId: input.xRequestId, dataId, secret: input.secret });
      return { ok: true, ts: tsMs };
    } catch (err) {
      if (!(err instanceof InvalidWebhookSignatureError)) throw err;
      if (err.reason !== 'SignatureMismatch') return refuse(err.reason as SignatureFailure);
    }
  }
  return refuse('SignatureMismatch');
}
