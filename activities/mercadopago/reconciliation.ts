/**
 * Reconciliation activities: thin adapters around domain/payments/reconciliation.ts, adding what
 * Temporal supplies (the worker's client to start the webhook pipeline's workflows, heartbeats)
 * and the MercadoPago client for the payments search.
 */
import { Context } from '@temporalio/activity';
import type { Config } from '../../common/config';
import type { ReconciliationBatchResult, ReconciliationRunRecord, ReconciliationWindow, SearchCursor } from '../../contracts/reconciliation';
import { dispatchPayment, reconcileBatch, reconciliationStore, type ReconciliationConfig } from '../../domain/payments/reconciliation';
import { MercadoPagoClient } from './client';

export function createReconciliationActivities(config: ReconciliationConfig & Pick<Config, 'MERCADOPAGO_BASE_URL' | 'MERCADOPAGO_ACCESS_TOKEN'>) {
  const client = new MercadoPagoClient({ baseUrl: config.MERCADOPAGO_BASE_URL, accessToken: config.MERCADOPAGO_ACCESS_TOKEN });
  const store = reconciliationStore(config);
  return {
    /** The run's window, from the last completed one (or the lookback). */
    openReconciliationRun: (input: { now: string }) => store.openRun(input),

    /**
     * Up to a few search pages of the window from `cursor`: each payment compared with the
     * projection; the missing and stale started as `webhook-mp-recon-<id>-<epoch ms>` through the
     * webhook pipeline's workflow, by this worker's Temporal client.
     */
    async reconcilePaymentsBatch(input: { window: ReconciliationWindow; cursor?: SearchCursor }): Promise<ReconciliationBatchResult> {
      const ctx = Context.current();
      return reconcileBatch({
        window: input.window,
        cursor: input.cursor,
        search: (q) => client.searchPayments({ range: 'date_last_updated', sort: 'date_last_updated', criteria: 'asc', ...q }),
        dispatch: (p) => dispatchPayment(ctx.client, p, config),
        heartbeat: (d) => ctx.heartbeat(d),
        sleep: (ms) => ctx.sleep(ms),
      });
    },

    /** Records the run, its day's report, and the state the next run starts from. */
    finishReconciliationRun: (run: ReconciliationRunRecord) => store.finishRun(run),
  };
}
