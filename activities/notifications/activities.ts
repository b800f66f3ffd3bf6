import { Context } from '@temporalio/activity';
import { IncomingWebhook } from '@slack/webhook';
import type { Config } from '../../common/config';
import { onCallAt } from '../../common/ops-policy';
import type { NotificationRequest } from '../../contracts/ops';
import { createMailer } from '../email/mailer';
import { renderPage } from './render';

export type NotificationConfig = Pick<
  Config,
  'SMTP_URL' | 'MAIL_FROM' | 'SLACK_WEBHOOK_URL' | 'ALERT_WEBHOOK_URL' | 'ONCALL_ROTATION' | 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'PUBLIC_API_URL'
>;

/** What a `digest` "page" reports as its recipient: nothing is sent, the weekly digest lists it. */
export const DIGEST_RECIPIENT = 'weekly digest';

/**
 * Sends one page on one channel to the on-call person of `req.level` (from the rotation, now).
 * `pageId` is stable per page, not per attempt, so a resend after a lost reply is recognisably the
 * same message (email Message-ID, webhook Idempotency-Key).
 */
export function createPager(config: NotificationConfig) {
  const mailer = createMailer(config);
  const slack = new IncomingWebhook(config.SLACK_WEBHOOK_URL, { timeout: 10_000 });
  const links = { ui: config, apiUrl: config.PUBLIC_API_URL };
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

/** Incident pages: email (SMTP), Slack (incoming webhook) and an optional generic webhook. */
export function createNotificationActivities(config: NotificationConfig) {
  const sendPage = createPager(config);
  return {
    async sendIncidentNotification(req: NotificationRequest): Promise<{ recipient: string; channel: string }> {
      return sendPage(req, `${req.workflowId}.${req.runId}.${req.kind}.${req.level}.${Context.current().info.activityId}`);
    },
  };
}
