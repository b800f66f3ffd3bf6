/**
 * Twilio Programmable Messaging contract (API 2010-04-01): POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded (To, From or MessagingServiceSid,
 * Body), HTTP Basic auth with the Account SID and Auth Token. Errors are Twilio's JSON
 * ({code, message, more_info, status}) with its codes; a message is answered 201 with the Message
 * resource, status "queued" ("accepted" through a Messaging Service). Twilio's magic test numbers
 * behave as with test credentials: To +15005550001 is invalid (21211), +15005550009 cannot receive
 * SMS (21614). Messages sent are kept for /__admin/sms; faults are injected as for other providers.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { E164, smsSegments } from '../common/sms';
import { recordAndInjectFaults } from './faults';
import type { SandboxState, SentSms } from './state';

export const TWILIO_API_VERSION = '2010-04-01';
const MAX_BODY = 1600;

export function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}
const send = (res: Response, status: number, code: number, message: string) => res.status(status).json(twilioError(status, code, message));

/** Twilio's date format: RFC 2822 in GMT, e.g. "Mon, 16 Aug 2010 03:45:01 +0000". */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** Twilio's answer to a fault injected by the sandbox admin (20429 for 429, 20500 otherwise). */
const faultBody = (status: number, message: string) =>
  twilioError(status, status === 429 ? 20429 : status === 401 ? 20003 : status === 404 ? 20404 : status >= 500 ? 20500 : 21211, message);

export function twilioRouter(state: SandboxState, opts: { accountSid: string; authToken: string }) {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));
  router.use(recordAndInjectFaults(state, 'twilio', faultBody));

  // Every request needs the account's Basic credentials, and may only touch that account.
  router.use(`/${TWILIO_API_VERSION}/Accounts/:accountSid`, (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const [user, ...rest] = decoded.split(':');
    if (user !== opts.accountSid || rest.join(':') !== opts.authToken || req.params.accountSid !== opts.accountSid) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      send(res, 401, 20003, 'Authenticate');
      return;
    }
    next();
  });

  const resource = (m: SentSms) => {
    const uri = `/${TWILIO_API_VERSION}/Accounts/${opts.accountSid}/Messages/${m.sid}.json`;
    const created = rfc2822(new Date(m.at));
    return {
      account_sid: opts.accountSid,
      api_version: TWILIO_API_VERSION,
      body: m.body,
      date_created: created,
      date_sent: null,
      date_updated: created,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: '0',
      // Twilio sends these as strings; through a Messaging Service the sender (and so the count) comes later.
      num_segments: String(m.from ? m.numSegments : 0),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.from ? 'queued' : 'accepted',
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      to: m.to,
      uri,
    };
  };

  router.post(`/${TWILIO_API_VERSION}/Accounts/:accountSid/Messages.json`, (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' && (b[k] as string) !== '' ? (b[k] as string) : undefined);
    const to = str('To');
    const from = str('From');
    const service = str('MessagingServiceSid');
    const body = str('Body');
    if (!to) return void send(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !service) return void send(res, 400, 21603, "A 'From' phone number is required.");
    if (!body && !str('MediaUrl') && !str('ContentSid')) return void send(res, 400, 21602, 'Message body is required.');
    if (!E164.test(to) || to === '+15005550001') return void send(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (to === '+15005550009') return void send(res, 400, 21614, `'To' number ${to} is not a valid mobile number`);
    // A sender is an E.164 number or an alphanumeric sender ID (letters required, at most 11).
    if (from && !E164.test(from) && !/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(from)) return void send(res, 400, 21212, `Invalid From Number (caller ID): ${from}`);
    if (!from && service && !/^MG[0-9a-fA-F]{32}$/.test(service)) return void send(res, 400, 21701, `The Messaging Service Sid ${service} is invalid.`);
    if (body && body.length > MAX_BODY) return void send(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

    const m: SentSms = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      to,
      from: from ?? null,
      messagingServiceSid: service ?? null,
      body: body ?? '',
      numSegments: smsSegments(body ?? ''),
      at: new Date().toISOString(),
    };
    state.sms.push(m);
    res.status(201).json(resource(m));
  });

  router.get(`/${TWILIO_API_VERSION}/Accounts/:accountSid/Messages/:sid.json`, (req, res) => {
    const m = state.sms.find((x) => x.sid === req.params.sid);
    if (!m) return void send(res, 404, 20404, `The requested resource /${TWILIO_API_VERSION}/Accounts/${opts.accountSid}/Messages/${req.params.sid}.json was not found`);
    res.json(resource(m));
  });

  router.use((req, res) => {
    send(res, 404, 20404, `The requested resource ${req.path} was not found`);
  });
  return router;
}
