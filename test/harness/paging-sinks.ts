/**
 * Where pages land in tests: a real SMTP server (the sandbox's smtp-server sink) and a local Slack
 * incoming-webhook receiver (the sandbox's Slack contract), on free ports.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../infra/processes';
import { slackRouter } from '../../sandbox/slack';
import { startSmtpSink } from '../../sandbox/smtp-sink';
import { SandboxState } from '../../sandbox/state';

export async function startPagingSinks() {
  const smtp = await startSmtpSink({ port: await freePort() });
  const state = new SandboxState();
  const app = express();
  app.use('/slack', slackRouter(state));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const slackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/incoming-webhook`;
  return {
    smtp,
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    slackUrl,
    slack: state.slack,
    /** Makes the Slack receiver answer `status` to the next `times` posts (-1: until cleared). */
    failSlack(times: number, status = 500) {
      state.faults.push({ provider: 'slack', kind: 'error', status, remaining: times });
    },
    healSlack() {
      state.faults = [];
    },
    mailTo: (address: string) => smtp.messages.filter((m) => m.to.includes(address)),
    async close() {
      await smtp.close();
      await new Promise((r) => server.close(r));
    },
  };
}
