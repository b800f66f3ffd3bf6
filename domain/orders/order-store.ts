import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { Affiliate } from '../persistence/models/affiliate';
import { AffiliateAttribution } from '../persistence/models/affiliate-attribution';
import { Campaign } from '../persistence/models/campaign';
import { Conversion } from '../persistence/models/conversion';
import { isCurrency } from '../../common/money';
import { ConversionRejected, conversionIdFor, refundConversion, registerConversion } from '../commissions/conversions';
import { Order } from '../persistence/models/order';
import { UnmatchedPayment } from '../persistence/models/unmatched-payment';
import { insertOnce, writeByRevision } from '../persistence/write-patterns';
import { salesCounters } from '../analytics/sales';
import type { OrderView, PaymentUpdate } from '../../contracts/orders';


/** The order saga's records: its projection and its affiliate attribution (which may start a commission). */
export function orderStore(config: Config, temporal: Client) {
  return {
    /**
     * Writes the workflow's view of the order. Upsert guarded by revision: a delayed write of an
     * older revision matches nothing, and its upsert then collides on _id and is dropped.
     */
    async recordOrder(view: OrderView): Promise<void> {
      const { orderNumber, revision, createdAt, updatedAt, ...rest } = view;
      // The sales analytics count the order when it is first recorded paid (before the write, so
      // a retry after a failed count finds the projection still unpaid; the count's claim keeps
      // a retry after a landed count from counting twice).
      const paidAt = view.payment?.paidAt;
      if (paidAt) {
        const stored = await Order.findById(orderNumber, { 'payment.paidAt': 1 }).lean<{ payment?: { paidAt?: string } }>();
        if (!stored?.payment?.paidAt) {
          const extra = view as OrderView & { fromCart?: boolean };
          await salesCounters(config).countPaidOrder({ orderNumber, currency: view.currency, totalMinor: view.totalMinor, items: view.items, paidAt, fromCart: extra.fromCart === true });
        }
      }
      await writeByRevision(Order, orderNumber, revision, { ...rest, orderNumber, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) });
    },

    /**
     * The order as its projection has it (for a closed order's late payments), or null when no
     * order has that number. Dates as ISO text, like the workflow's view.
     */
    async loadOrder(input: { orderNumber: string }): Promise<OrderView | null> {
      const doc = await Order.findById(input.orderNumber).lean();
      if (!doc) return null;
      const { _id, createdAt, updatedAt, ...rest } = doc as typeof doc & { _id: string };
      return {
        ...(rest as unknown as OrderView),
        orderNumber: _id,
        pendingEffects: [],
        failedSteps: [],
        manualRetries: 0,
        timeline: (rest.timeline ?? []) as OrderView['timeline'],
        createdAt: new Date(createdAt).toISOString(),
        updatedAt: new Date(updatedAt).toISOString(),
      };
    },

    /** A payment naming an order we do not know: kept (latest status), `firstSeen` only on its first record. */
    async recordUnmatchedPayment(input: { orderNumber: string; update: PaymentUpdate }): Promise<{ firstSeen: boolean }> {
      const { update: u } = input;
      const now = new Date();
      const doc = { externalReference: input.orderNumber, status: u.status, amount: u.amount, currency: u.currency, dateLastUpdated: u.dateLastUpdated, updatedAt: now };
      if (await insertOnce(UnmatchedPayment, { _id: u.paymentId, ...doc, firstSeenAt: now })) return { firstSeen: true };
      await UnmatchedPayment.updateOne({ _id: u.paymentId, dateLastUpdated: { $lt: u.dateLastUpdated } }, { $set: doc });
      return { firstSeen: false };
    },

    /**
     * One attribution per order (a retry finds it there), and — when the code names an active
     * affiliate and a campaign is live in the order's currency — a conversion (external id
     * `order:<number>`) whose commission workflow starts. Without a live campaign the attribution
     * stays `recorded` for a person to look at.
     */
    async recordAffiliateAttribution(input: { orderNumber: string; affiliateCode: string; customerEmail: string; amountMinor: number; currency: string; paymentId: string }): Promise<{ recorded: boolean; conversionId?: string; reason?: string }> {
      const recorded = await insertOnce(AffiliateAttribution, { _id: input.orderNumber, ...input, status: 'recorded', at: new Date() });
      const affiliate = await Affiliate.findOne({ code: input.affiliateCode, status: 'active' }).lean();
      if (!affiliate) return { recorded, reason: `no active affiliate with code ${input.affiliateCode}` };
      if (!isCurrency(input.currency)) return { recorded, reason: `unknown currency ${input.currency}` };
      const now = new Date();
      const campaign = await Campaign.findOne({ status: 'active', currency: input.currency, startsAt: { $lte: now }, endsAt: { $gte: now } }).sort({ startsAt: -1 }).lean();
      if (!campaign) return { recorded, reason: `no live campaign in ${input.currency}` };
      try {
        const { conversion } = await registerConversion(temporal, config, {
          externalId: `order:${input.orderNumber}`,
          affiliateId: affiliate._id,
          campaignId: campaign._id,
          type: 'venta',
          valueMinor: input.amountMinor,
          currency: input.currency,
          channel: 'web',
          customer: { email: input.customerEmail },
          orderNumber: input.orderNumber,
          metadata: { payment_id: input.paymentId },
        });
        await AffiliateAttribution.updateOne({ _id: input.orderNumber }, { $set: { status: 'converted', conversionId: conversion._id } });
        return { recorded, conversionId: conversion._id };
      } catch (err) {
        if (err instanceof ConversionRejected) return { recorded, reason: err.message };
        throw err;
      }
    },

    /** A paid order cancelled later: its conversion no longer earns a commission (voided or clawed back). */
    async voidAffiliateAttribution(input: { orderNumber: string; reason?: string }): Promise<void> {
      await AffiliateAttribution.updateOne({ _id: input.orderNumber }, { $set: { status: 'voided' } });
      const conversionId = conversionIdFor(`order:${input.orderNumber}`);
      if (!(await Conversion.exists({ _id: conversionId }))) return;
      await refundConversion(temporal, conversionId, input.reason ?? `order ${input.orderNumber} cancelled`).catch((err) => {
        // Past the clawback window the commission workflow is closed: nothing left to take back.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
    },
  };
}
