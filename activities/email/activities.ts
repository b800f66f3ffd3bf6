import type { Config } from '../../common/config';
import { createMailer } from './mailer';
import { renderOrderEmail, type OrderEmailInput } from '../../domain/orders/order-emails';

/** Email activities. SMTP has no idempotency; the stable Message-ID lets receivers collapse a resend. */
export function createEmailActivities(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>) {
  const mailer = createMailer(config);
  return {
    async sendOrderEmail(input: OrderEmailInput): Promise<{ messageId: string; accepted: string[] }> {
      return mailer.send(renderOrderEmail(input));
    },
  };
}
