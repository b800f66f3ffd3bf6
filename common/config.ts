/**
 * The one place the environment is read. Every variable is declared, documented in .env.example,
 * validated with zod once at start-up, and defaulted to the embedded dev stack started by
 * infra/stack.ts. A bad value stops the process with a message naming the variable.
 */
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { TASK_QUEUES } from './task-queues';
import { DEFAULT_TIMEZONE } from './time';
import {
  alertRulesSchema,
  DEFAULT_ONCALL_ROTATION,
  escalationMatrixSchema,
  jsonEnv,
  maintenanceWindowSchema,
  onCallRotationSchema,
  SEVERITIES,
} from './ops-policy';
import { E164 } from './sms';


const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url({ protocol: /^https?$/ });
const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(item));

// Defaults that only make sense against the local provider sandbox. Production refuses them.
export const SANDBOX_SECRETS = {
  MERCADOPAGO_ACCESS_TOKEN: 'TEST-sandbox-access-token',
  MERCADOPAGO_WEBHOOK_SECRET: 'sandbox-webhook-secret',
  GHL_ACCESS_TOKEN: 'sandbox-ghl-token',
  JWT_SECRET: 'sandbox-jwt-secret-change-me-0123456789',
  DATA_ENCRYPTION_KEY: 'c2FuZGJveC1kYXRhLWtleS1jaGFuZ2UtbWUtMDEyMzQ=',
} as const;

/**
 * The sandbox's Twilio account (and Twilio's own magic test sender). Refused in production only
 * while the escalation matrix pages by SMS: a deployment without SMS needs no Twilio account.
 */
export const SANDBOX_TWILIO = {
  TWILIO_ACCOUNT_SID: 'ACc0ffee00c0ffee00c0ffee00c0ffee00',
  TWILIO_AUTH_TOKEN: 'deadbeefdeadbeefdeadbeefdeadbeef',
  TWILIO_FROM_NUMBER: '+15005550006',
} as const;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port.default(3000),
    /**
     * Bootstrap admin API keys (comma-separated). Day-to-day keys, with roles, are created with
     * `npm run apikey` or POST /api/v1/api-keys and stored hashed; these let the first admin in.
     */
    API_KEYS: csv(z.string().min(16)).default(['dev-api-key-change-me-0001']),
    /** Browser origins allowed to call the API cross-origin (comma-separated). Empty: CORS closed. */
    CORS_ORIGINS: csv(url).default([]),
    /** Seed 003 §5.10: requests per hour per IP on the API (webhooks, /health and /metrics excepted). */
    RATE_LIMIT_GENERAL_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(1000),
    /** Seed 003 §5.10: list and search requests per minute per caller (user or API key). */
    RATE_LIMIT_SEARCH_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(100),
    /** Seed 003 §5.10: requests per hour per admin (user or key) on the API. */
    RATE_LIMIT_ADMIN_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(500),
    /** The worker's Prometheus endpoint (GET /metrics); 0 turns it off. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** The Temporal SDK's own exporter, on loopback, served through WORKER_METRICS_PORT; 0 picks a free port at start-up. */
    WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),

    /** Customer and admin sign-in: HS256 signing key for access and refresh tokens. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(SANDBOX_SECRETS.JWT_SECRET),
    JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
    JWT_REFRESH_TTL_SECONDS: z.coerce.number().int().min(300).max(90 * 86400).default(7 * 86400),
    /** Requests per minute per IP on /auth/* (seed 003 §5.10: 5). */
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(5),
    /** When both are set, the API makes sure this admin account exists at start-up. */
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /** The storefront's public address: password-reset links point at `<PUBLIC_BASE_URL>/reset-password?token=…`. */
    PUBLIC_BASE_URL: url.default('http://127.0.0.1:3000'),
    /** How long a password-reset token works (single use). */
    PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(60),
    /** Where MercadoPago reaches this API (the notification_url of checkout preferences). */
    PUBLIC_API_URL: url.default('http://127.0.0.1:3000'),

    /** How often each API process polls the catalog revision to bring its search index up to date (ms). */
    SEARCH_REFRESH_MS: z.coerce.number().int().min(100).max(60_000).default(1000),

    /** How long an order waits for its payment before releasing the stock. */
    ORDER_PAYMENT_TIMEOUT_MINUTES: z.coerce.number().min(0.05).max(30 * 24 * 60).default(30),
    /** How long a cancelled order keeps listening for a late payment to refund it. */
    ORDER_LATE_PAYMENT_WINDOW_HOURS: z.coerce.number().min(0).max(24 * 90).default(72),
    /** A cart with items and no change for this long gets one reminder email (per abandonment). */
    CART_ABANDONED_HOURS: z.coerce.number().min(0.001).max(24 * 90).default(24),
    /** An empty cart unchanged for this long closes its workflow (the next add starts a new one). */
    CART_IDLE_DAYS: z.coerce.number().min(0.001).max(365).default(30),

    /** AES-256-GCM key for data encrypted at rest (affiliates' bank data): 32 bytes, base64. */
    DATA_ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
      .default(SANDBOX_SECRETS.DATA_ENCRYPTION_KEY),

    /** Days a commission is held before approval; a refund inside it voids the commission. */
    COMMISSION_HOLD_DAYS: z.coerce.number().min(0).max(365).default(14),
    /** Commissions up to this amount (minor units of their currency) are approved automatically. */
    COMMISSION_AUTO_APPROVE_MAX_MINOR: z.coerce.number().int().min(0).default(1_000_000),
    /** A commission waiting for a person's approval longer than this raises a reminder alert. */
    COMMISSION_APPROVAL_REMINDER_HOURS: z.coerce.number().min(0.0001).max(24 * 30).default(48),
    /** How long after becoming payable a refund still claws a commission back. */
    COMMISSION_CLAWBACK_WINDOW_DAYS: z.coerce.number().min(0).max(730).default(90),
    /** When the monthly payout batch runs (cron, in SCHEDULE_TIMEZONE), and where. */
    PAYOUT_SCHEDULE_CRON: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression').default('0 6 1 * *'),
    SCHEDULE_TIMEZONE: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'is not an IANA time zone')
      .default(DEFAULT_TIMEZONE),

    /** Ops schedules (Temporal Schedules, registered at worker start-up; times in SCHEDULE_TIMEZONE). */
    METRICS_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    HEALTH_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
    BACKUP_CRON: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression').default('0 2 * * *'),
    RETENTION_CRON: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a 5-field cron expression').default('30 3 * * *'),
    /** The weekly digest of low-severity incidents (cron in SCHEDULE_TIMEZONE): Monday 09:00 by default. */
    DIGEST_CRON: z
      .string()
      .trim()
      .regex(/^([\d*,/?A-Za-z-]+\s+){4}[\d*,/?A-Za-z-]+$/, 'must be a 5-field cron expression (minute hour day-of-month month day-of-week)')
      .default('0 9 * * 1'),
    /** Who gets the weekly digest besides the rotation's primary on-call (comma-separated emails). */
    DIGEST_EMAIL: csv(z.email()).optional(),
    /** Create the Schedules paused (staging, and test stacks that trigger ops runs themselves). */
    SCHEDULES_PAUSED: bool.default(false),
    GHL_TOKEN_REFRESH_HOURS: z.coerce.number().min(1).max(23).default(12),
    /** Payments reconciliation (Schedule `payments-reconciliation`): every this many minutes, MercadoPago's payments search against our projection. */
    RECONCILIATION_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    /** Each run's window starts this long before the previous run's end (a payment near the edge is looked at twice, never missed). */
    RECONCILIATION_OVERLAP_MINUTES: z.coerce.number().int().min(0).max(1440).default(5),
    /** The first run (no earlier window) looks back this far. */
    RECONCILIATION_LOOKBACK_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(24),
    /** A window ends this long before the run: a payment updated in the last seconds may have its webhook in flight (the next run covers it). */
    RECONCILIATION_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    /** Runs in a row that find missing or stale payments before the `reconciliation_drift` alert is raised. */
    RECONCILIATION_DRIFT_RUNS: z.coerce.number().int().min(1).max(1000).default(3),

    /** Alert rules: JSON overrides of the defaults in common/ops-policy.ts, e.g. {"webhook_error_rate":{"threshold":20}}. */
    ALERT_RULES: jsonEnv(alertRulesSchema).default(alertRulesSchema.parse({})),
    /** Escalation matrix: JSON overrides per severity, e.g. {"critical":{"escalateMinutes":20}}. */
    ESCALATION_MATRIX: jsonEnv(escalationMatrixSchema).default(escalationMatrixSchema.parse({})),
    /** On-call rotation (JSON): {"startsAt":…, "weeks":[{"primary":{name,email,slackId?},"secondary":{…}}], "escalation":[…]}. */
    ONCALL_ROTATION: jsonEnv(onCallRotationSchema).default(DEFAULT_ONCALL_ROTATION),
    /** An acknowledged incident not resolved within this re-triggers and pages again. */
    INCIDENT_ACK_TIMEOUT_MINUTES: z.coerce.number().min(1).max(10080).default(60),
    /** Maintenance windows (JSON list of {start, end, rules?, reason?}); the API can add more. */
    MAINTENANCE_WINDOWS: jsonEnv(z.array(maintenanceWindowSchema)).default([]),
    /** Slack incoming webhook for incident pages (the sandbox's Slack sink in dev). */
    SLACK_WEBHOOK_URL: url.default('http://127.0.0.1:8090/slack/incoming-webhook'),
    /** Twilio's API (the sandbox's Twilio in dev; https://api.twilio.com in production) for SMS pages. */
    TWILIO_API_URL: url.default('http://127.0.0.1:8090/twilio'),
    /** Twilio account and sender for the `sms` channel (the sandbox's account in dev). */
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID: AC followed by 32 hex characters').default(SANDBOX_TWILIO.TWILIO_ACCOUNT_SID),
    TWILIO_AUTH_TOKEN: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be the 32-hex-character Auth Token of the account').default(SANDBOX_TWILIO.TWILIO_AUTH_TOKEN),
    TWILIO_FROM_NUMBER: z.string().regex(E164, 'must be an E.164 phone number of the Twilio account, e.g. +5491155550000').default(SANDBOX_TWILIO.TWILIO_FROM_NUMBER),
    /** Optional generic webhook that receives every incident notification as JSON. */
    ALERT_WEBHOOK_URL: url.optional(),
    /** Where backups are written, and how many are kept (the last N daily, plus the first of each of the last M months). */
    BACKUP_DIR: z.string().min(1).default('.data/backups'),
    BACKUP_KEEP_DAILY: z.coerce.number().int().min(1).max(365).default(7),
    BACKUP_KEEP_MONTHLY: z.coerce.number().int().min(0).max(120).default(12),
    /** GoHighLevel OAuth app; when all three are set the token is refreshed on schedule and stored (encrypted). */
    GHL_CLIENT_ID: z.string().min(1).optional(),
    GHL_CLIENT_SECRET: z.string().min(1).optional(),
    GHL_REFRESH_TOKEN: z.string().min(1).optional(),

    TEMPORAL_ADDRESS: z.string().min(3).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_UI_URL: url.default('http://127.0.0.1:8233'),
    /** Temporal Cloud API key; when set, TLS is used. */
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: bool.default(false),
    /** Deadline of the API's quick Temporal calls (starting a notification workflow): past it, 503 + Retry-After. */
    TEMPORAL_START_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(4000),

    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .default('mongodb://127.0.0.1:27017/pagosflow'),

    /** Which task queues this worker process serves; a subset scales a queue out on its own. */
    WORKER_TASK_QUEUES: csv(z.enum(TASK_QUEUES)).default([...TASK_QUEUES]),
    /** Prebuilt workflow bundle (npm run build); unset in dev, where workflows are bundled at start. */
    WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),

    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_PORT: port.default(8090),
    /** The sandbox's SMTP sink (what SMTP_URL points at in dev). */
    SANDBOX_SMTP_PORT: port.default(1025),

    MERCADOPAGO_BASE_URL: url.default('http://127.0.0.1:8090/mercadopago'),
    MERCADOPAGO_ACCESS_TOKEN: z.string().min(8).default(SANDBOX_SECRETS.MERCADOPAGO_ACCESS_TOKEN),
    MERCADOPAGO_WEBHOOK_SECRET: z.string().min(8).default(SANDBOX_SECRETS.MERCADOPAGO_WEBHOOK_SECRET),
    /** Replay window for x-signature's ts (seconds or milliseconds are both understood). */
    WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
    /**
     * Which proxies' X-Forwarded-For to believe for the client IP (limits, audit): `false` (default,
     * the socket's address), a hop count (`1`), or a comma-separated list of addresses/CIDRs.
     */
    TRUST_PROXY: z
      .string()
      .trim()
      .default('false')
      .transform((v, ctx): boolean | number | string[] => {
        if (v === 'false' || v === '') return false;
        if (/^\d{1,2}$/.test(v)) return Number(v);
        const list = v.split(',').map((s) => s.trim()).filter(Boolean);
        try {
          // The same compiler Express uses: what passes here is what Express will accept.
          proxyaddr.compile(list);
          return list;
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `is false, a hop count, or a comma-separated list of addresses/CIDRs (${(err as Error).message})` });
          return z.NEVER;
        }
      }),
    /** JSON request bodies: deepest nesting and most keys accepted (422 past either). */
    JSON_MAX_DEPTH: z.coerce.number().int().min(2).max(256).default(32),
    JSON_MAX_KEYS: z.coerce.number().int().min(10).max(100_000).default(2000),
    /** Refused deliveries (bad or missing signatures) one source IP may send per minute before 429; valid deliveries are never limited. */
    WEBHOOK_REFUSALS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    /** Accept unsigned legacy IPN (?topic=&id=) as a hint to re-fetch the resource. */
    MERCADOPAGO_ACCEPT_IPN: bool.default(false),

    GHL_BASE_URL: url.default('http://127.0.0.1:8090/gohighlevel'),
    GHL_ACCESS_TOKEN: z.string().min(8).default(SANDBOX_SECRETS.GHL_ACCESS_TOKEN),
    GHL_LOCATION_ID: z.string().min(1).default('sandbox-location'),
    GHL_API_VERSION: z.string().min(1).default('2021-07-28'),
    /** GoHighLevel activities started per second across all workers (each makes 1–2 requests; the limit is 10/s). */
    GHL_ACTIVITIES_PER_SECOND: z.coerce.number().min(0.1).max(100).default(4),
    /** Pipeline where paid orders become opportunities. */
    GHL_PIPELINE_ID: z.string().min(1).default('sandbox-pipeline'),
    GHL_ORDER_PAID_TAG: z.string().min(1).max(100).default('pedido-pagado'),
    GHL_ORDER_CANCELLED_TAG: z.string().min(1).max(100).default('pedido-cancelado'),
    /** Tag added to the payer's contact when a payment is approved. */
    GHL_APPROVED_TAG: z.string().min(1).max(100).default('pago-aprobado'),

    /** Outgoing mail (order confirmations, incident pages): smtp:// or smtps:// URL. */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('pagos-flow <noreply@pagosflow.local>'),
  })
  .superRefine((env, ctx) => {
    if (env.ADMIN_PASSWORD && !env.ADMIN_EMAIL) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_EMAIL'], message: 'is required when ADMIN_PASSWORD is set' });
    }
    if (env.NODE_ENV !== 'production') return;
    for (const [key, sandboxValue] of Object.entries(SANDBOX_SECRETS)) {
      if ((env as Record<string, unknown>)[key] === sandboxValue) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is the sandbox default; set a real secret in production' });
      }
    }
    if (env.SLACK_WEBHOOK_URL.startsWith('http://127.0.0.1:')) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_WEBHOOK_URL'], message: "is the sandbox's Slack sink; set the team's incoming webhook in production" });
    }
    const smsBy = SEVERITIES.filter((s) => env.ESCALATION_MATRIX[s].channels.includes('sms'));
    if (smsBy.length > 0) {
      const why = `while ESCALATION_MATRIX pages ${smsBy.join(', ')} by sms`;
      for (const [key, sandboxValue] of Object.entries(SANDBOX_TWILIO)) {
        if ((env as Record<string, unknown>)[key] === sandboxValue) ctx.addIssue({ code: 'custom', path: [key], message: `is the sandbox default; set the Twilio account's ${why}` });
      }
      if (env.TWILIO_API_URL.startsWith('http://127.0.0.1:')) {
        ctx.addIssue({ code: 'custom', path: ['TWILIO_API_URL'], message: `is the sandbox's Twilio; set https://api.twilio.com ${why}` });
      }
    }
    if (env.API_KEYS.includes('dev-api-key-change-me-0001')) {
      ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: 'is the dev default; set real keys in production' });
    }
  });

export type Config = z.infer<typeof envSchema>;

/** Every variable the app reads (docker-compose and .env.example are checked against this list). */
export const CONFIG_KEYS = Object.keys(envSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment; throws ConfigError naming every bad variable. Empty strings count as unset. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = envSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`));
  }
  return result.data;
}

let cached: Config | undefined;

/** The process-wide config. On a bad environment: prints which variable is wrong and exits 78 (EX_CONFIG). */
export function loadConfig(): Config {
  if (cached) return cached;
  try {
    cached = parseConfig();
    return cached;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pagos-flow refuses to start: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
