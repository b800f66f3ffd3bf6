/** The sandbox's in-memory world: provider records, injected faults, and a log of every call. */

/** A message the sandbox's Twilio accepted (the SMS sink). */
export interface SentSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  numSegments: number;
  at: string;
}

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

/** A notification MercadoPago sent (or, by the drop switch, lost on the way) from the sandbox. */
export interface NotificationRecord {
  /** The notification's own id (the body's `id`). */
  id: number;
  topic: 'payment' | 'chargebacks';
  /** `payment.created` / `payment.updated`; for chargebacks the body's `actions`, joined. */
  action: string;
  /** The resource id signed and sent as `data.id` in the query. */
  dataId: string;
  url: string;
  at: string;
  /** True when the drop switch lost it: the receiver never saw it. */
  dropped: boolean;
  dropReason?: 'drop-next' | 'probability';
  /** The receiver's answer (absent when dropped or unreachable). */
  status?: number;
  /** Why the delivery failed (receiver unreachable). */
  error?: string;
  ms?: number;
  /** The receiver's body (JSON when it parses). */
  answer?: unknown;
  body: unknown;
}

/**
 * Loses webhook deliveries on purpose: the next `dropNext` are dropped, then each with
 * `probability` (0..1). With a `seed` the sequence of drops is deterministic.
 */
export interface WebhookDropConfig {
  probability: number;
  dropNext: number;
  seed: number | null;
}

/** mulberry32: a tiny seeded PRNG, enough to make "drop 30%" repeatable in a test. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SandboxState {
  payments = new Map<string, Record<string, any>>();
  /** chargeback id → MercadoPago's chargeback resource */
  chargebacks = new Map<string, Record<string, any>>();
  /** The application's configured Webhooks URL (MercadoPago's panel); payments may override it with their notification_url. */
  notificationUrl: string | null = null;
  /** Every notification the sandbox sent or dropped, oldest first. */
  notifications: NotificationRecord[] = [];
  webhookDrops: WebhookDropConfig = { probability: 0, dropNext: 0, seed: null };
  private dropRandom: () => number = Math.random;
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
  sms: SentSms[] = [];
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

  setWebhookDrops(input: Partial<WebhookDropConfig>) {
    this.webhookDrops = { ...this.webhookDrops, ...input };
    this.dropRandom = this.webhookDrops.seed === null ? Math.random : seededRandom(this.webhookDrops.seed);
    return this.webhookDrops;
  }

  /** Whether the next delivery is lost, and why (consumes one of `dropNext` first). */
  takeDrop(): 'drop-next' | 'probability' | undefined {
    if (this.webhookDrops.dropNext > 0) {
      this.webhookDrops.dropNext--;
      return 'drop-next';
    }
    if (this.webhookDrops.probability > 0 && this.dropRandom() < this.webhookDrops.probability) return 'probability';
    return undefined;
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
    this.chargebacks.clear();
    this.notificationUrl = null;
    this.notifications = [];
    this.setWebhookDrops({ probability: 0, dropNext: 0, seed: null });
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
