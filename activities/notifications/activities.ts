import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { IncomingWebhook } from '@slack/webhook';
import type { Config } from '../../common/config';
import { onCallAt } from '../../common/ops-policy';
import type { NotificationRequest } from '../../contracts/ops';
import { createMailer } from '../email/mailer';
import { providerCall } from '../http/provider-call';
import { renderPage, renderSms } from './render';

export type NotificationConfig = Pick<
  Config,
  | 'SMTP_URL'
  | 'MAIL_FROM'
  | 'SLACK_WEBHOOK_URL'
  | 'ALERT_WEBHOOK_URL'
  | 'ONCALL_ROTATION'
  | 'TEMPORAL_UI_URL'
  | 'TEMPORAL_NAMESPACE'
  | 'PUBLIC_API_URL'
  | 'TWILIO_API_URL'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_FROM_NUMBER'
>;

/** What a `digest` "page" reports as its recipient: nothing is sent, the weekly digest lists it. */
export const DIGEST_RECIPIENT = 'weekly digest';

/**
 * Sends one page on one channel to the on-call person of `req.level` (from the rotation, now).
 * `pageId` is stable per page, not per attempt, so a resend after a lost reply is recognisably the
 * same message (email Message-ID, webhook Idempotency-Key, a `ref` in the SMS text: Twilio's
 * Messages API has no idempotency key, so a resend is a second SMS the reader can recognise).
 * Provider answers are classified by providerCall: a permanent refusal fails the channel at once,
 * a 429/5xx is retried by Temporal (after Retry-After when given).
 */
export function createPager(config: NotificationConfig) {
  const mailer = createMailer(config);
  const slack = new IncomingWebhook(config.SLACK_WEBHOOK_URL, { timeout: 10_000 });
  const links = { ui: config, apiUrl: config.PUBLIC_API_URL };
  const twilioAuth = `Basic ${Buffer.from(`${config.TWILIO_ACCOUNT_SID}:${config.TWILIO_AUTH_TOKEN}`).toString('base64')}`;
  return async function sendPage(req: NotificationRequest, pageId: string): Promise<{ recipient: string; channel: string }> {
    // Low severity is not paged one by one: the weekly digest email reports it (never a page here).
    if (req.channel === 'digest') return { recipient: DIGEST_RECIPIENT, channel: 'digest' };
    const { person } = onCallAt(config.ONCALL_ROTATION, new Date(), req.level);
    const page = renderPage(req, person, links);
    switch (req.channel) {
      case 'email':
        await mailer.send({ to: person.email, subject: page.subject, text: page.text, html: page.html, messageId: `<${pageId}@pagosflow>` });
        return { recipient: person.email, channel: 'email' };
      case 'slack': {
        const mention = person.slackId ? `<@${person.slackId}> ` : `${person.name}: `;
        await slack.send({ text: `${mention}*${page.subject}*\n${page.text}`, unfurl_links: false });
        return { recipient: person.slackId ?? person.name, channel: 'slack' };
      }
      case 'sms': {
        // Someone without a phone cannot be texted: this channel fails for them (no retries), the others go on.
        if (!person.phone) throw ApplicationFailure.nonRetryable(`${person.name} has no phone in ONCALL_ROTATION`, 'NoPhoneNumber');
        const ref = createHash('sha256').update(pageId).digest('hex').slice(0, 6);
        await providerCall<{ sid: string }>({
          provider: 'twilio',
          baseUrl: config.TWILIO_API_URL,
          method: 'POST',
          path: `/2010-04-01/Accounts/${config.TWILIO_ACCOUNT_SID}/Messages.json`,
          headers: { authorization: twilioAuth },
          body: new URLSearchParams({ To: person.phone, From: config.TWILIO_FROM_NUMBER, Body: renderSms(req, links, ref) }),
          timeoutMs: 10_000,
        });
        return { recipient: person.phone, channel: 'sms' };
      }
      case 'webhook': {
        if (!config.ALERT_WEBHOOK_URL) return { recipient: 'none (ALERT_WEBHOOK_URL unset)', channel: 'webhook' };
        const res = await fetch(config.ALERT_WEBHOOK_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': pageId },
          body: JSON.stringify({ ...req, recipient: person, subject: page.subject, text: page.text, execution: page.execution }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
        return { recipient: config.ALERT_WEBHOOK_URL, channel: 'webhook' };
      }
    }
  };
}

/** Incident pages: email (SMTP), Slack (incoming webhook), SMS (Twilio) and an optional generic webhook. */
export function createNotificationActivities(config: NotificationConfig) {
  const sendPage = createPager(config);
  return {
    async sendIncidentNotification(req: NotificationRequest): Promise<{ recipient: string; channel: string }> {
      return sendPage(req, `${req.workflowId}.${req.runId}.${req.kind}.${req.level}.${Context.current().info.activityId}`);
    },
  };
}
