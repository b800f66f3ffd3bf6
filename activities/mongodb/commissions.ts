/** MongoDB activities of the commission workflows. */
import { commissionStore } from '../../domain/commissions/commission-store';
import { runPayoutBatch } from '../../domain/commissions/payouts';

export const createCommissionStoreActivities = () => commissionStore();

export const createPayoutActivities = () => ({ runPayoutBatch });
