/**
 * A real SMTP server (smtp-server, from the nodemailer project) that keeps every message it
 * receives, parsed (mailparser), for dev and tests: what a customer or on-call person would get.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId?: string;
  receivedAt: string;
}

export interface SmtpSink {
  messages: ReceivedMail[];
  port: number;
  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { port: number; host?: string; messages?: ReceivedMail[]; onMessage?: (m: ReceivedMail) => void }): Promise<SmtpSink> {
  const messages = opts.messages ?? [];
  const waiters = new Set<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId,
            receivedAt: new Date().toISOString(),
          };
          messages.push(mail);
          opts.onMessage?.(mail);
          for (const w of waiters) if (w.match(mail)) (waiters.delete(w), w.resolve(mail));
          callback();
        })
        .catch((err) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    messages,
    port,
    waitFor(match, timeoutMs = 30_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (m: ReceivedMail) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => (waiters.delete(w), reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received)`))), timeoutMs);
        waiters.add(w);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
