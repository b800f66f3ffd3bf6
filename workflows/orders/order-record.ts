/** The order's view (what queries answer and the projection stores) and its timeline. */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OrderInput, OrderStatusName, OrderView } from '../../contracts/orders';
import { OrderStatus } from '../../contracts/search-attributes';
import { localStore, store } from './order-activities';

export const now = () => new Date().toISOString();

export class OrderRecord {
  readonly state: OrderView;
  /** Side effects not yet done (set by the saga once its lanes exist). */
  pendingEffects: () => string[] = () => [];

  constructor(input: OrderInput) {
    this.state = {
      orderNumber: input.orderNumber,
      workflowId: workflowInfo().workflowId,
      status: 'created',
      customer: input.customer,
      items: input.items,
      currency: input.currency,
      totalMinor: input.totalMinor,
      shippingAddress: input.shippingAddress,
      ...(input.affiliateCode ? { affiliateCode: input.affiliateCode } : {}),
      ...(input.coupon ? { coupon: input.coupon, subtotalMinor: input.subtotalMinor, discountMinor: input.discountMinor } : {}),
      ...(input.fromCart ? { fromCart: true } : {}),
      pendingEffects: [],
      failedSteps: [],
      manualRetries: 0,
      timeline: [],
      createdAt: input.createdAt,
      updatedAt: input.createdAt,
      revision: 0,
    };
  }

  note(event: string, detail?: Record<string, unknown>): void {
    this.state.timeline.push({ at: now(), event, status: this.state.status, ...(detail ? { detail } : {}) });
  }

  setStatus(status: OrderStatusName, event: string, detail?: Record<string, unknown>): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: OrderStatus, value: status }]);
    this.note(event, detail);
  }

  /** The view with its live list of pending effects (queries and update answers). */
  view(): OrderView {
    return { ...this.state, pendingEffects: this.pendingEffects() };
  }

  /** Stores a new revision of the projection. */
  /** `local`: as a local activity (the checkout's first record, see order-checkout.ts). */
  async persist(local = false): Promise<void> {
    this.state.updatedAt = now();
    this.state.revision++;
    this.state.pendingEffects = this.pendingEffects();
    await (local ? localStore : store).recordOrder({ ...this.state, timeline: [...this.state.timeline] });
  }
}
