/**
 * Every custom search attribute of the product, declared once. Workflows upsert them, the API
 * filters by them, and infra/stack.ts + the test harness register them on the dev server.
 * Ops find any execution in the Temporal Web UI by these business keys.
 *
 * Budget: SQL visibility (the dev server's SQLite, and Postgres/MySQL in production) has 10 Keyword
 * slots per namespace; the dev server refuses to start with an 11th. All ten are used: a new key
 * needs another type (Int, Datetime, KeywordList have their own budgets).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PaymentId = defineSearchAttributeKey('PaymentId', SearchAttributeType.KEYWORD);
export const OrderNumber = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const CustomerEmail = defineSearchAttributeKey('CustomerEmail', SearchAttributeType.KEYWORD);
export const WebhookStatus = defineSearchAttributeKey('WebhookStatus', SearchAttributeType.KEYWORD);
export const Provider = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);
export const OrderStatus = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const AffiliateId = defineSearchAttributeKey('AffiliateId', SearchAttributeType.KEYWORD);
export const CampaignId = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CommissionStatus = defineSearchAttributeKey('CommissionStatus', SearchAttributeType.KEYWORD);
/** The dedup key of an incident (`incident-<dedupKey>` workflows): which rule and subject paged. */
export const IncidentKey = defineSearchAttributeKey('IncidentKey', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  PaymentId,
  OrderNumber,
  CustomerEmail,
  WebhookStatus,
  Provider,
  OrderStatus,
  AffiliateId,
  CampaignId,
  CommissionStatus,
  IncidentKey,
];

const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
}
