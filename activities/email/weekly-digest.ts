import type { Config } from '../../common/config';
import type { WeeklyDigestCounts } from '../../contracts/ops';
import { digestCounts, digestMessageId, digestRecipients, lowIncidentsIn, renderWeeklyDigest, type DigestPeriod } from '../../domain/ops/weekly-digest';
import { createMailer } from './mailer';

export type DigestMailConfig = Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'ONCALL_ROTATION' | 'DIGEST_EMAIL' | 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'SCHEDULE_TIMEZONE' | 'PUBLIC_API_URL'>;

/**
 * The weekly digest's mail: reads the week's low incidents, renders and sends one email to the
 * on-call list. Its Message-ID is fixed per week, so an attempt retried after a lost reply is the
 * same message to the receiver.
 */
export function createDigestEmailActivities(config: DigestMailConfig) {
  const mailer = createMailer(config);
  return {
    async sendWeeklyDigest(period: DigestPeriod): Promise<{ messageId: string; recipients: string[]; counts: WeeklyDigestCounts; sentAt: string }> {
      const rows = await lowIncidentsIn(period, config);
      const to = digestRecipients(config, new Date(period.to));
      const messageId = digestMessageId(period.week, config.TEMPORAL_NAMESPACE);
      const mail = renderWeeklyDigest({ period, rows, to, apiUrl: config.PUBLIC_API_URL, timeZone: config.SCHEDULE_TIMEZONE });
      const sent = await mailer.send({ ...mail, messageId });
      return { messageId, recipients: sent.accepted, counts: digestCounts(rows, period), sentAt: new Date().toISOString() };
    },
  };
}
