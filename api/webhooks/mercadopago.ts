/**
 * POST /webhooks/mercadopago — verified, durable, fast. The raw body is kept for the signature
 * and parsed only after it checks out. A valid delivery starts the notification's workflow with an
 * id derived from the notification id, so redeliveries are deduplicated by Temporal itself; the
 * reply is sent only once Temporal has durably accepted the start.
 */
import express, { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { SecurityEvent } from '../../domain/persistence/models/security-event';
import { countEvent } from '../../domain/persistence/counters';
import { webhookDeliveries } from '../../common/prometheus';
import { WebhookEvent } from '../../domain/persistence/models/webhook-event';
import { PaymentId, Provider, WebhookStatus } from '../../contracts/search-attributes';
import { mercadoPagoNotificationWorkflow, notificationWorkflowId, WEBHOOK_EVENT_TYPES_PROCESSED, type MercadoPagoNotification } from '../../contracts/webhooks';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { HttpError, validationError } from '../errors';
import { verifyMercadoPagoSignature } from './mercadopago-signature';

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

const idLike = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).transform(String);

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
  const router = Router();

  const start = async (n: MercadoPagoNotification, opts: { conflict: 'reject' | 'use-existing' }) => {
    const workflowId = notificationWorkflowId(n.eventId);
    try {
      await temporal.workflow.start<WorkflowOf<typeof mercadoPagoNotificationWorkflow>>(mercadoPagoNotificationWorkflow.type, {
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
      });
      return { workflowId, duplicate: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
      // Not durably accepted: say so, and MercadoPago delivers it again later. Nothing is lost.
      log.error({ err, eventId: n.eventId }, 'could not start the notification workflow');
      throw new HttpError(503, 'temporarily_unavailable', 'the notification could not be durably accepted; deliver it again later', { retryAfterSeconds: 30 });
    }
  };

  // Each delivery's outcome, for Prometheus: the body says it on 200s, the status otherwise.
  router.use('/webhooks/mercadopago', (_req, res, next) => {
    res.on('finish', () => webhookDeliveries.inc({ provider: 'mercadopago', outcome: res.locals.webhookOutcome ?? deliveryOutcome(res.statusCode) }));
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
      await SecurityEvent.create({
        type: 'INVALID_WEBHOOK_SIGNATURE',
        reason: check.reason,
        sourceIp: req.ip,
        path: req.path,
        requestId: header(req, 'x-request-id'),
        at: receivedAt,
        hour: receivedAt.toISOString().slice(0, 13),
      }).catch((err) => log.error({ err }, 'could not store security event'));
      // The threats-per-hour metric (security_threat rule) reads these buckets, never the event log.
      await countEvent({ family: 'security', at: receivedAt, granularities: ['m5', 'h', 'd'], timeZone: config.SCHEDULE_TIMEZONE, inc: { INVALID_WEBHOOK_SIGNATURE: 1 } }).catch((err) =>
        log.error({ err }, 'could not count security event'),
      );
      throw new HttpError(401, 'invalid_signature', 'webhook signature could not be verified', { reason: check.reason });
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
