/** The sandbox's in-memory world: provider records, injected faults, and a log of every call. */

export type ProviderName = 'mercadopago' | 'gohighlevel' | 'slack' | 'twilio';

export interface Fault {
  provider: ProviderName;
  /** Substring of the path the fault applies to (all paths when absent). */
  path?: string;
  method?: string;
  kind: 'error' | 'rate-limit' | 'hang' | 'delay';
  /** For `delay`: how long before the real answer. */
  delayMs?: number;
  /** HTTP status for `error` (default 500). */
  status?: number;
  retryAfterSeconds?: number;
  /** How many matching calls fail; -1 for all until cleared. */
  remaining: number;
}

export interface CallRecord {
  provider: ProviderName;
  method: string;
  path: string;
  status: number;
  at: string;
  body?: unknown;
  idempotencyKey?: string;
}

export class SandboxState {
  payments = new Map<string, Record<string, any>>();
  preferences = new Map<string, Record<string, any>>();
  /** idempotency key → refund */
  refunds = new Map<string, Record<string, any>>();
  contacts = new Map<string, Record<string, any>>();
  opportunities = new Map<string, Record<string, any>>();
  /** idempotency key → preference */
  preferenceKeys = new Map<string, Record<string, any>>();
  /** Mail received by the SMTP sink. */
  mail: import('./smtp-sink').ReceivedMail[] = [];
  /** Messages posted to the Slack incoming-webhook sink. */
  slack: { text: string; body: unknown; at: string }[] = [];
  /** Messages accepted by the Twilio Messages API. */
  sms: import('./twilio').SentSms[] = [];
  faults: Fault[] = [];
  calls: CallRecord[] = [];
  // Seeded from the clock so ids never repeat across sandbox restarts, while Temporal and MongoDB
  // keep every execution and payment of earlier runs.
  private seq = Date.now();
  private notificationSeq = Date.now();

  nextId(): number {
    return ++this.seq;
  }
  nextNotificationId(): number {
    return ++this.notificationSeq;
  }

  /** The first fault matching this call, consumed by one. */
  takeFault(provider: ProviderName, method: string, path: string): Fault | undefined {
    const f = this.faults.find((x) => x.provider === provider && (!x.path || path.includes(x.path)) && (!x.method || x.method === method) && x.remaining !== 0);
    if (!f) return undefined;
    if (f.remaining > 0) f.remaining--;
    this.faults = this.faults.filter((x) => x.remaining !== 0);
    return f;
  }

  reset() {
    this.payments.clear();
    this.preferences.clear();
    this.refunds.clear();
    this.contacts.clear();
    this.opportunities.clear();
    this.preferenceKeys.clear();
    this.mail.length = 0;
    this.slack.length = 0;
    this.sms.length = 0;
    this.faults = [];
    this.calls = [];
  }
}
