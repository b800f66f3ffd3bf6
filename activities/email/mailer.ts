import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../common/config';
import type { OutgoingMail } from '../../common/outgoing-mail';


/** One SMTP transport per worker (nodemailer pools connections); SMTP_URL decides where mail goes. */
export function createMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>) {
  let transport: Transporter | undefined;
  return {
    async send(mail: OutgoingMail): Promise<{ messageId: string; accepted: string[] }> {
      transport ??= nodemailer.createTransport(config.SMTP_URL, { from: config.MAIL_FROM });
      const info = await transport.sendMail({ from: config.MAIL_FROM, ...mail });
      return { messageId: info.messageId, accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)) };
    },
  };
}
