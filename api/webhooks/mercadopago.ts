/**
 * POST /webhooks/mercadopago — verified, durable, fast. The raw body is kept for the signature
 * and parsed only after it checks out. A valid delivery starts the notification's workflow with an
 * id derived from the notification id, so redeliveries are deduplicated by Temporal itself; the
 * reply is sent only once Temporal has durably accepted the start.
 */
import express, { type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { ipKeyGenerator } from 'express-rate-limit';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { countRefusedDelivery, recordRefusedDelivery } from '../../domain/payments/security-events';
import { countIgnoredDelivery } from '../../domain/payments/webhook-events';
import { webhookDeliveries } from '../../common/prometheus';
import { WebhookEvent } from '../../domain/persistence/models/webhook-event';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { mercadoPagoNotificationWorkflow, notificationWorkflowId, WEBHOOK_EVENT_TYPES_PROCESSED, type MercadoPagoNotification } from '../../contracts/webhooks';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { HttpError, validationError } from '../errors';
import { withTemporalDeadline } from '../../common/temporal';
import { MALFORMED_SIGNATURE, verifyMercadoPagoSignature } from './mercadopago-signature';
import { apiRouter } from '../request-guards';

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

/** What MercadoPago sends as ids: digits (as numbers or text), or letters, digits, `-` and `_`. */
export const MERCADOPAGO_ID = /^[A-Za-z0-9_-]{1,64}$/;
const idLike = z
  .union([z.string(), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform(String)
  .pipe(z.string().regex(MERCADOPAGO_ID, 'must be 1 to 64 letters, digits, - or _'));

/** The "Webhooks" notification body (../shared/providers.md). Unknown fields are allowed. */
export const notificationSchema = z.object({
  id: idLike,
  type: z.string().min(1).max(64),
  action: z.string().max(64).optional(),
  live_mode: z.boolean().optional(),
  date_created: z.string().optional(),
  user_id: idLike.optional(),
  api_version: z.string().optional(),
  data: z.object({ id: idLike }),
});

const queryString = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
const header = (req: Request, name: string) => queryString(req.headers[name]);

const deliveryOutcome = (status: number) => (status === 401 ? 'invalid_signature' : status === 413 ? 'too_large' : status >= 500 ? 'unavailable' : status >= 400 ? 'rejected' : 'accepted');

export function mercadoPagoWebhookRouter(deps: { config: Config; temporal: Client; log: Logger }) {
  const { config, temporal, log } = deps;
  const router = apiRouter();
  // Refusals per source IP (rate-limiter-flexible, in memory per API process). Consulted only once
  // a delivery is refused, so a valid delivery is never limited.
  const refusals = new RateLimiterMemory({ keyPrefix: 'webhook-refusals', points: config.WEBHOOK_REFUSALS_PER_MINUTE, duration: 60 });

  // In the dashboard's webhook buckets (best effort: a counter never fails the acknowledgement).
  const countIgnored = (eventId: string | undefined, at: Date) =>
    countIgnoredDelivery({ eventId, at, timeZone: config.SCHEDULE_TIMEZONE }).catch((err) => void log.error({ err, eventId }, 'could not count an ignored delivery'));

  const start = async (n: MercadoPagoNotification, opts: { conflict: 'reject' | 'use-existing' }) => {
    const workflowId = notificationWorkflowId(n.eventId);
    try {
      // Under a deadline: with Temporal unreachable the answer is a 503 within seconds, well before MercadoPago gives up (~22 s).
      await withTemporalDeadline(temporal, config, () => temporal.workflow.start<WorkflowOf<typeof mercadoPagoNotificationWorkflow>>(mercadoPagoNotificationWorkflow.type, {
        taskQueue: mercadoPagoNotificationWorkflow.taskQueue,
        workflowId,
        args: [n],
        // A redelivery of a finished notification is refused too, not processed again.
        workflowIdReusePolicy: opts.conflict === 'reject' ? WorkflowIdReusePolicy.REJECT_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        workflowIdConflictPolicy: opts.conflict === 'reject' ? 'FAIL' : 'USE_EXISTING',
        typedSearchAttributes: [
          { key: Provider, value: 'mercadopago' },
          { key: WebhookStatus, value: 'received' },
          { key: PaymentId, value: n.resourceId },
        ],
      }));
      return { workflowId, duplicate: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
      // Not durably accepted: say so, and MercadoPago delivers it again later. Nothing is lost.
      log.error({ err, eventId: n.eventId }, 'could not start the notification workflow');
      throw new HttpError(503, 'temporarily_unavailable', 'the notification could not be durably accepted; deliver it again later', { retryAfterSeconds: 5 });
    }
  };

  // Each delivery's outcome, for Prometheus: the body says it on 200s, the status otherwise.
  router.use('/webhooks/mercadopago', (req, res, next) => {
    // Deliveries only: other paths under it are 404s, not refused deliveries.
    if (req.originalUrl.split('?')[0] === '/webhooks/mercadopago') res.on('finish', () => webhookDeliveries.inc({ provider: 'mercadopago', outcome: res.locals.webhookOutcome ?? deliveryOutcome(res.statusCode) }));
    next();
  });

  router.post('/webhooks/mercadopago', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const receivedAt = new Date();
    const dataId = queryString(req.query['data.id']);
    const xSignature = header(req, 'x-signature');

    // Legacy IPN: unsigned, so never trusted — at most a hint to re-fetch the payment, when enabled.
    const topic = queryString(req.query.topic);
    const ipnId = queryString(req.query.id);
    if (!xSignature && topic && ipnId && config.MERCADOPAGO_ACCEPT_IPN) {
      if (topic !== 'payment' || !/^\d{1,20}$/.test(ipnId)) {
        await countIgnored(undefined, receivedAt);
        res.locals.webhookOutcome = 'ignored';
        res.status(200).json({ received: true, ignored: true, reason: `IPN topic ${topic} is not processed` });
        return;
      }
      const eventId = `mp-ipn-payment-${ipnId}`;
      const started = await start(
        { eventId, source: 'ipn', type: 'payment', resourceId: ipnId, receivedAt: receivedAt.toISOString(), crmApprovedTag: config.GHL_APPROVED_TAG },
        { conflict: 'use-existing' },
      );
      res.locals.webhookOutcome = started.duplicate ? 'duplicate' : 'accepted';
      res.status(200).json({ received: true, eventId, ...started });
      return;
    }

    const check = verifyMercadoPagoSignature({
      xSignature,
      xRequestId: header(req, 'x-request-id'),
      dataId,
      secret: config.MERCADOPAGO_WEBHOOK_SECRET,
      toleranceSeconds: config.WEBHOOK_SIGNATURE_TOLERANCE_SECONDS,
    });
    if (!check.ok) {
      // IPv6 clients are grouped by their /56, as every other limiter here does.
      const sourceIp = ipKeyGenerator(req.ip ?? 'unknown');
      // Every refusal counts in the threat metric (security_threat rule), limited or not.
      await countRefusedDelivery(receivedAt, config.SCHEDULE_TIMEZONE).catch((err) => log.error({ err }, 'could not count security event'));
      const limited = await refusals.consume(sourceIp).then(
        () => undefined,
        (r: unknown) => (r instanceof RateLimiterRes ? r : undefined),
      );
      if (limited) {
        throw new HttpError(429, 'rate_limited', `too many refused deliveries from ${sourceIp}: limit ${config.WEBHOOK_REFUSALS_PER_MINUTE} per minute`, {
          retryAfterSeconds: Math.max(1, Math.ceil(limited.msBeforeNext / 1000)),
          reason: check.reason,
        });
      }
      await recordRefusedDelivery({ reason: check.reason, sourceIp, path: req.path, requestId: header(req, 'x-request-id')?.slice(0, 200), at: receivedAt }).catch((err) =>
        log.error({ err }, 'could not store security event'),
      );
      if (MALFORMED_SIGNATURE.has(check.reason)) throw new HttpError(401, 'malformed_signature', 'x-signature must carry exactly one ts and one v1', { reason: check.reason });
      throw new HttpError(401, 'invalid_signature', 'webhook signature could not be verified', { reason: check.reason });
    }
    if (dataId !== undefined && !MERCADOPAGO_ID.test(dataId)) {
      throw new HttpError(400, 'invalid_request', 'data.id: must be 1 to 64 letters, digits, - or _', { field: 'data.id', in: 'query' });
    }

    let json: unknown;
    try {
      json = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    } catch {
      throw new HttpError(400, 'malformed_json', 'request body is not valid JSON', { field: 'body' });
    }
    const parsed = notificationSchema.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const body = parsed.data;
    if (dataId !== undefined && dataId.toLowerCase() !== body.data.id.toLowerCase()) {
      // The signature covers the query's data.id; a body naming another resource is not what was signed.
      throw new HttpError(400, 'invalid_request', 'data.id: does not match the signed data.id of the query', { field: 'data.id' });
    }

    const eventId = `mp-${body.id}`;
    if (!(WEBHOOK_EVENT_TYPES_PROCESSED as readonly string[]).includes(body.type)) {
      // Acknowledged so MercadoPago stops redelivering, and recorded so it is visible.
      await WebhookEvent.updateOne(
        { _id: eventId },
        {
          $setOnInsert: { eventId, provider: 'mercadopago', type: body.type, action: body.action, resourceId: body.data.id, status: 'ignored', receivedAt, finishedAt: receivedAt },
          $set: { updatedAt: receivedAt },
        },
        { upsert: true },
      );
      await countIgnored(eventId, receivedAt);
      res.locals.webhookOutcome = 'ignored';
      res.status(200).json({ received: true, eventId, ignored: true, reason: `type ${body.type} is not processed` });
      return;
    }

    const started = await start(
      {
        eventId,
        source: 'webhook',
        type: body.type,
        action: body.action,
        resourceId: body.data.id,
        receivedAt: receivedAt.toISOString(),
        liveMode: body.live_mode,
        crmApprovedTag: config.GHL_APPROVED_TAG,
      },
      { conflict: 'reject' },
    );
    res.locals.webhookOutcome = started.duplicate ? 'duplicate' : 'accepted';
    res.status(200).json({ received: true, eventId, ...started });
  });

  return router;
}
