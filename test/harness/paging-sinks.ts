/**
 * Where pages land in tests: a real SMTP server (the sandbox's smtp-server sink), a local Slack
 * incoming-webhook receiver and the sandbox's Twilio Messages API (its contracts), on free ports.
 * `env` is what points the notification config at them.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../infra/processes';
import { SANDBOX_TWILIO } from '../../common/config';
import { slackRouter } from '../../sandbox/slack';
import { startSmtpSink } from '../../sandbox/smtp-sink';
import { SandboxState } from '../../sandbox/state';
import { twilioRouter } from '../../sandbox/twilio';

export async function startPagingSinks() {
  const smtp = await startSmtpSink({ port: await freePort() });
  const state = new SandboxState();
  const app = express();
  app.use('/slack', slackRouter(state));
  app.use('/twilio', twilioRouter(state, { accountSid: SANDBOX_TWILIO.TWILIO_ACCOUNT_SID, authToken: SANDBOX_TWILIO.TWILIO_AUTH_TOKEN }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const slackUrl = `${base}/slack/incoming-webhook`;
  const smtpUrl = `smtp://127.0.0.1:${smtp.port}`;
  return {
    smtp,
    smtpUrl,
    slackUrl,
    twilioUrl: `${base}/twilio`,
    /** Notification config pointing at these sinks (Twilio's sandbox credentials are the config's defaults). */
    env: { SMTP_URL: smtpUrl, SLACK_WEBHOOK_URL: slackUrl, TWILIO_API_URL: `${base}/twilio` },
    state,
    slack: state.slack,
    sms: state.sms,
    /** Makes the Slack receiver answer `status` to the next `times` posts (-1: until cleared). */
    failSlack(times: number, status = 500) {
      state.faults.push({ provider: 'slack', kind: 'error', status, remaining: times });
    },
    healSlack() {
      state.faults = [];
    },
    /** Makes Twilio answer `status` to the next `times` messages (-1: until cleared). */
    failTwilio(times: number, status = 500, retryAfterSeconds?: number) {
      state.faults.push({ provider: 'twilio', kind: 'error', status, retryAfterSeconds, remaining: times });
    },
    mailTo: (address: string) => smtp.messages.filter((m) => m.to.includes(address)),
    async close() {
      await smtp.close();
      await new Promise((r) => server.close(r));
    },
  };
}
