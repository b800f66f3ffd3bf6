import { Payment } from '../persistence/models/payment';
import { issuedRefunds } from './issued-refunds';
import { PaymentTransition } from '../persistence/models/payment-transition';
import type { PaymentSnapshot, SavePaymentResult } from '../../contracts/webhooks';
import { claimOnce, compareAndSetByVersion } from '../persistence/write-patterns';
import type { Config } from '../../common/config';
import { DEFAULT_TIMEZONE } from '../../common/time';
import { countEvent, counterKey } from '../persistence/counters';
import { moneyStory, wasCollected, type MoneyStory } from './money-story';
import { toMinor } from './minor-units';
import { salesCounters } from '../analytics/sales';


const ALL_GRANULARITIES = ['m5', 'h', 'd', 'mo'] as const;

/**
 * Claims `<paymentId>:<status>` for `owner`; true if this owner holds the claim (first insert, or a
 * retry of the owner's own earlier claim).
 */
export const claimTransition = (paymentId: string, status: string, owner: string): Promise<boolean> =>
  claimOnce(PaymentTransition, `${paymentId}:${status}`, owner, { paymentId, status });

/** The payment projection (and the payment metric counters). */
export function paymentStore(config: Pick<Config, 'SCHEDULE_TIMEZONE'> = { SCHEDULE_TIMEZONE: DEFAULT_TIMEZONE }) {
  /**
   * The revenue counters, each amount once by its own id however many notifications mention it:
   * gross (`amount.<cur>`) when the payment is first seen collected — approved, or already refunded
   * or charged back if its approval was never seen — each refund by its refund id, on the day it was
   * made, a chargeback once per payment, and its reimbursement if MercadoPago decides for us.
   * Net is read as gross − refunded − charged back + reimbursed.
   */
  async function countMoney(p: PaymentSnapshot, story: MoneyStory, firstCollected: boolean): Promise<void> {
    const cur = counterKey(p.currency);
    const count = (claimKey: string, at: Date, inc: Record<string, number>) =>
      countEvent({ family: 'payments', at, granularities: [...ALL_GRANULARITIES], timeZone: config.SCHEDULE_TIMEZONE, claimKey, inc });
    if (firstCollected && story.collectedMinor > 0) await count(`payment:${p.paymentId}:collected`, new Date(), { [`amount.${cur}`]: story.collectedMinor });
    for (const r of story.refunds) {
      const at = r.dateCreated && !Number.isNaN(Date.parse(r.dateCreated)) ? new Date(r.dateCreated) : new Date();
      await count(`refund:${r.refundId}`, at, { [`refunded.${cur}`]: r.amountMinor, refunds: 1, ...(r.initiatedBy === 'outside' ? { refundsOutside: 1 } : {}) });
    }
    if (p.status === 'charged_back') {
      const chargedBackMinor = Math.max(0, story.collectedMinor - story.refundedMinor);
      await count(`chargeback:${p.paymentId}`, new Date(), { [`chargedBack.${cur}`]: chargedBackMinor, chargebacks: 1 });
      if (story.reimbursed) await count(`chargeback-reimbursed:${p.paymentId}`, new Date(), { [`reimbursed.${cur}`]: chargedBackMinor });
    }
  }

  return {
    /**
     * Upsert monotonic by date_last_updated, without transactions: insert if new, otherwise a
     * compare-and-set on the stored version (a single-document conditional write). An older
     * notification processed late never regresses the state, and exactly one concurrent writer
     * observes each status transition. `owner` (the calling workflow) claims the move into `approved`.
     */
    async savePayment(p: PaymentSnapshot, owner: string): Promise<SavePaymentResult> {
      const version = Date.parse(p.dateLastUpdated);
      const story = moneyStory(p, await issuedRefunds().oursAmong(p.paymentId, p.refunds ?? []));
      // The sales analytics take what is new against the stored payment, before it is overwritten
      // (a retry after a failed count finds it unchanged; the claims keep a retry from counting twice).
      const before = await Payment.findById(p.paymentId, { status: 1, statusDetail: 1, 'refunds.refundId': 1 }).lean<{ status?: string; statusDetail?: string; refunds?: { refundId: string }[] }>();
      const known = new Set((before?.refunds ?? []).map((r) => String(r.refundId)));
      const takenBack = Math.max(0, story.collectedMinor - story.refundedMinor);
      const newlyChargedBack = p.status === 'charged_back' && before?.status !== 'charged_back';
      const newlyReimbursed = story.reimbursed && !(before?.status === 'charged_back' && before.statusDetail === 'reimbursed');
      await salesCounters(config).countReversals({
        paymentId: p.paymentId,
        orderNumber: p.externalReference ?? undefined,
        refunds: story.refunds.filter((r) => !known.has(String(r.refundId))),
        chargedBackMinor: newlyChargedBack ? takenBack : 0,
        reimbursedMinor: newlyReimbursed ? takenBack : 0,
      });
      const doc = {
        paymentId: p.paymentId,
        status: p.status,
        statusDetail: p.statusDetail,
        amount: p.amount,
        amountMinor: toMinor(p.amount, p.currency),
        amountRefunded: p.amountRefunded,
        refundedMinor: story.refundedMinor,
        chargedBackMinor: story.chargedBackMinor,
        netMinor: story.netMinor,
        refunds: story.refunds.map((r) => ({ ...r, dateCreated: r.dateCreated ? new Date(r.dateCreated) : undefined })),
        currency: p.currency,
        externalReference: p.externalReference,
        payerEmail: p.payerEmail,
        paymentMethodId: p.paymentMethodId,
        paymentTypeId: p.paymentTypeId,
        liveMode: p.liveMode,
        dateCreated: p.dateCreated ? new Date(p.dateCreated) : undefined,
        dateApproved: p.dateApproved ? new Date(p.dateApproved) : undefined,
        dateLastUpdated: new Date(p.dateLastUpdated),
        version,
        syncedAt: new Date(),
      };
      // Atomic on MongoDB; on FerretDB v1 two writers racing within milliseconds can both pass the
      // version check (the last wins): the transition claim below is what guards effects.
      const { outcome, previous } = await compareAndSetByVersion<{ status: string }>(Payment, p.paymentId, version, doc, { status: 1 });
      const previousStatus = previous?.status;
      if (outcome !== 'stale' && previousStatus !== p.status) {
        // Counted once per (payment, status), whichever workflow saw the move.
        await countEvent({
          family: 'payments',
          at: new Date(),
          granularities: [...ALL_GRANULARITIES],
          timeZone: config.SCHEDULE_TIMEZONE,
          claimKey: `payment:${p.paymentId}:${p.status}`,
          inc: { [`count.${counterKey(p.status)}`]: 1 },
          // Today's top clients read the day bucket only; per-client keys elsewhere would only grow the buckets.
          dayInc: p.status === 'approved' ? { [`client.${counterKey(p.payerEmail ?? p.externalReference ?? 'unknown')}`]: 1 } : undefined,
        });
      }
      await countMoney(p, story, outcome !== 'stale' && !(previousStatus && wasCollected({ status: previousStatus })));
      // Side effects of the approval hang on the claim, not on the projection write: on MongoDB the
      // conditional update is atomic too, on FerretDB v1 only the insert is.
      const becameApproved = p.status === 'approved' && (await claimTransition(p.paymentId, 'approved', owner));
      return { outcome, previousStatus, becameApproved };
    },
  };
}
