/**
 * x-signature verification for MercadoPago webhooks. The HMAC itself is the official SDK's
 * validator; around it we handle the two unsettled points of ../shared/providers.md: an
 * alphanumeric data.id may be signed as sent or lowercased (accept either), and `ts` may be in
 * seconds or milliseconds (the replay window understands both; the SDK assumes seconds).
 */
import { InvalidWebhookSignatureError, WebhookSignatureValidator } from 'mercadopago';

export type SignatureCheck = { ok: true; ts: number } | { ok: false; reason: string };

/** ts values above this are milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

export function verifyMercadoPagoSignature(input: {
  xSignature: string | undefined;
  xRequestId: string | undefined;
  dataId: string | undefined;
  secret: string;
  toleranceSeconds: number;
  now?: number;
}): SignatureCheck {
  const candidates = [input.dataId];
  if (input.dataId && input.dataId !== input.dataId.toLowerCase()) candidates.push(input.dataId.toLowerCase());
  let failure: InvalidWebhookSignatureError | undefined;
  let matched = false;
  for (const dataId of candidates) {
    try {
      WebhookSignatureValidator.validate({ xSignature: input.xSignature, xRequestId: input.xRequestId, dataId, secret: input.secret });
      matched = true;
      break;
    } catch (err) {
      if (!(err instanceof InvalidWebhookSignatureError)) throw err;
      failure = err;
      if (err.reason !== 'SignatureMismatch') break;
    }
  }
  if (!matched) return { ok: false, reason: failure?.reason ?? 'SignatureMismatch' };

  const rawTs = Number(/(?:^|,)\s*ts=(\d+)/.exec(input.xSignature ?? '')?.[1]);
  const tsMs = rawTs > MS_THRESHOLD ? rawTs : rawTs * 1000;
  const driftSeconds = Math.abs((input.now ?? Date.now()) - tsMs) / 1000;
  if (driftSeconds > input.toleranceSeconds) return { ok: false, reason: 'TimestampOutOfTolerance' };
  return { ok: true, ts: tsMs };
}
