import { Affiliate } from './affiliate';
import { AffiliateAttribution } from './affiliate-attribution';
import { BusinessEvent } from './business-event';
import { Campaign } from './campaign';
import { Commission, LedgerEntry, Payout, PayoutBatch } from './commission';
import { Conversion } from './conversion';
import { Coupon, CouponRedemption } from './coupon';
import { Alert } from './alert';
import { AccessAudit, ApiKey } from './api-key';
import { HealthCheck } from './health-check';
import { Incident, IncidentNotification } from './incident';
import { MaintenanceWindowModel } from './maintenance-window';
import { DependencyStatus, Heartbeat, MetricCount, MetricSnapshot, OAuthCredential } from './metric-count';
import { Order } from './order';
import { Payment } from './payment';
import { PaymentTransition } from './payment-transition';
import { IssuedRefund } from './issued-refund';
import { Product } from './product';
import { IdempotencyKey } from './idempotency-key';
import { RevokedToken } from './revoked-token';
import { SecurityEvent } from './security-event';
import { Stock, StockMovement } from './stock';
import { UnmatchedPayment } from './unmatched-payment';
import { User } from './user';
import { WebhookEvent } from './webhook-event';
import { WeeklyDigest } from './weekly-digest';
import { ReconciliationReport, ReconciliationRun, ReconciliationState } from './reconciliation';

export const ALL_MODELS = [
  AccessAudit,
  ApiKey,
  Affiliate,
  AffiliateAttribution,
  BusinessEvent,
  Campaign,
  Commission,
  Conversion,
  LedgerEntry,
  Payout,
  PayoutBatch,
  Alert,
  HealthCheck,
  IdempotencyKey,
  Incident,
  IncidentNotification,
  MaintenanceWindowModel,
  MetricCount,
  MetricSnapshot,
  DependencyStatus,
  Heartbeat,
  OAuthCredential,
  Order,
  Payment,
  PaymentTransition,
  IssuedRefund,
  Product,
  RevokedToken,
  SecurityEvent,
  Stock,
  StockMovement,
  UnmatchedPayment,
  User,
  WebhookEvent,
  WeeklyDigest,
  ReconciliationState,
  ReconciliationRun,
  ReconciliationReport,
  Coupon,
  CouponRedemption,
];

/**
 * Creates every index before the first write: the unique ones (paymentId, eventId, dedupKey) are
 * what make single-document upserts safe under concurrency.
 */
export async function ensureIndexes(): Promise<void> {
  await Promise.all(ALL_MODELS.map((m) => m.createIndexes()));
}
