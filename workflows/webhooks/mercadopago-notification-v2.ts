/**
 * Version 2 of the MercadoPago notification workflow, started for every verified delivery (and by
 * the reconciliation): the lean course of ./notification-lean.ts as a workflow type of its own, so
 * a new execution carries no patch markers and no `TemporalChangeVersion` upsert, and it does not
 * announce `processing` (the API's `received` stands until `succeeded` or `failed`; `processing`
 * again only while an operator's `retry` runs). Version 1 (./mercadopago-notification.ts) keeps
 * running the executions it started.
 */
import type { MercadoPagoNotification, NotificationState } from '../../contracts/webhooks';
import { processNotificationLean } from './notification-lean';

export async function processMercadoPagoNotificationV2(n: MercadoPagoNotification): Promise<NotificationState> {
  return processNotificationLean(n, { announceProcessing: false });
}
