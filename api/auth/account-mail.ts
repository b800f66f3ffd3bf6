/**
 * The account emails the API sends itself (reset link, "your password was changed"). They go out
 * after the response, never awaited by it: the answer of /auth/forgot-password must not depend on
 * whether an email was sent, and a slow SMTP server must not hold a request.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';

export interface AccountMail {
  to: string;
  subject: string;
  text: string;
}

export function accountMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>, log?: Logger) {
  let transport: Transporter | undefined;
  return {
    /** Queues the mail; failures are logged (the reset can be requested again). */
    sendLater(mail: AccountMail): void {
      transport ??= nodemailer.createTransport(config.SMTP_URL, { from: config.MAIL_FROM });
      const html = `<p>${mail.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`;
      void transport.sendMail({ from: config.MAIL_FROM, ...mail, html }).catch((err) => log?.warn({ err, subject: mail.subject }, 'account email not sent'));
    },
  };
}

export type AccountMailer = ReturnType<typeof accountMailer>;
