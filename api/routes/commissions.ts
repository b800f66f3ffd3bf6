/**
 * Conversions, commissions, payouts, reports and the event log (seed 004): staff read, admins act.
 * Commands go through Temporal (conversion → its commission workflow; approve/reject as updates;
 * refunds as signals; the payout batch as a workflow); reads come from the projections.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { ConversionRejected, refundConversion, registerConversion } from '../../domain/commissions/conversions';
import { payoutCsv } from '../../domain/commissions/payouts';
import type { Config } from '../../common/config';
import { BusinessEvent } from '../../domain/persistence/models/business-event';
import { Commission, COMMISSION_STATUSES, LedgerEntry, Payout, PayoutBatch } from '../../domain/persistence/models/commission';
import { Conversion } from '../../domain/persistence/models/conversion';
import { CURRENCIES, formatMinorUnits, isCurrency } from '../../common/money';
import { minorUnitsOf } from '../amounts';
import { executionUrl } from '../../common/temporal';
import { commissionIdOf, commissionPayoutBatchWorkflow, commissionStateQuery, commissionWorkflowId, decideCommissionUpdate, NOT_AWAITING_APPROVAL } from '../../contracts/commissions';
import type { WorkflowOf } from '../../contracts/workflow-ref';
import { appendBusinessEvent } from '../../domain/commissions/business-events';
import { actorName, principalOf, requireRole, requireStaff } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { periodSchema } from '../period';
import { apiRouter } from '../request-guards';

export const conversionBody = z.object({
  external_id: z.string().trim().min(1).max(128),
  affiliate_id: z.string().min(1).max(64),
  campaign_id: z.string().min(1).max(64),
  type: z.enum(['venta', 'sale', 'lead', 'registro', 'signup', 'click']),
  value: z.union([z.number(), z.string().max(32)]),
  currency: z.enum(CURRENCIES),
  channel: z.string().trim().min(1).max(40),
  customer: z.record(z.string(), z.unknown()).optional(),
  products: z.array(z.record(z.string(), z.unknown())).max(200).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const money = (minor: number, currency: string) => (isCurrency(currency) ? formatMinorUnits(minor, currency) : String(minor));

/** Request schemas (also read by the OpenAPI document, api/openapi.ts). */
export const conversionsQuery = z.object({ affiliate: z.string().max(64).optional(), campaign: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const conversionMetricsQuery = z.object({ period: periodSchema.prefault('30d'), channel: z.string().max(40).optional() });
export const refundBody = z.object({ reason: z.string().trim().min(1).max(200).default('refund') });
export const commissionsQuery = z.object({ affiliate: z.string().max(64).optional(), status: z.enum(COMMISSION_STATUSES).optional(), period: periodSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });
export const reportQuery = z.object({ period: periodSchema.prefault('30d'), format: z.enum(['json', 'csv']).default('json') });
export const decisionBody = z.object({ comment: z.string().max(500).optional() });
export const payoutRunBody = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').optional() });
export const payoutsQuery = z.object({ period: z.string().max(7).optional(), affiliate: z.string().max(64).optional(), status: z.enum(['pending', 'paid']).optional() });
export const eventsQuery = z.object({ type: z.string().max(60).optional(), since: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(), affiliate: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });
export const confirmBody = z.object({ reference: z.string().trim().min(1).max(100).optional() });

export function commissionsRouter(deps: { config: Config; temporal: Client }) {
  const { config, temporal } = deps;
  const router = apiRouter();
  const admin = requireRole('admin');
  const viewer = requireStaff('viewer');

  const presentConversion = (c: any) => ({
    conversion_id: c._id,
    external_id: c.externalId,
    affiliate_id: c.affiliateId,
    campaign_id: c.campaignId,
    type: c.type,
    value: money(c.valueMinor, c.currency),
    value_minor: c.valueMinor,
    currency: c.currency,
    channel: c.channel,
    status: c.status,
    ...(c.orderNumber ? { order_number: c.orderNumber } : {}),
    created_at: c.createdAt,
    commission: { commission_id: commissionIdOf(c._id), execution: executionUrl(config, commissionWorkflowId(c._id)) },
  });

  router.post('/conversions', admin, async (req, res) => {
    const body = conversionBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const valueMinor = minorUnitsOf(b.value, b.currency, 'value');
    try {
      const { conversion, created } = await registerConversion(temporal, config, {
        externalId: b.external_id,
        affiliateId: b.affiliate_id,
        campaignId: b.campaign_id,
        type: b.type,
        valueMinor,
        currency: b.currency,
        channel: b.channel,
        customer: b.customer,
        products: b.products,
        metadata: b.metadata,
      });
      res.status(created ? 201 : 200).json({ ...presentConversion(conversion), duplicate: !created });
    } catch (err) {
      if (err instanceof ConversionRejected) throw new HttpError(422, err.reason, err.message, { field: err.field });
      throw err;
    }
  });

  router.get('/conversions', viewer, async (req, res) => {
    const q = conversionsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const docs = await Conversion.find({ ...(q.data.affiliate ? { affiliateId: q.data.affiliate } : {}), ...(q.data.campaign ? { campaignId: q.data.campaign } : {}) })
      .sort({ createdAt: -1 })
      .limit(q.data.limit)
      .lean();
    res.json({ items: docs.map(presentConversion) });
  });

  router.get('/conversions/metrics', viewer, async (req, res) => {
    const q = conversionMetricsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { period, channel } = q.data;
    const docs = await Conversion.find({ createdAt: { $gte: period.from, $lt: period.to }, ...(channel ? { channel } : {}) }, { channel: 1, type: 1, valueMinor: 1, currency: 1, status: 1 }).lean();
    const by = (key: 'channel' | 'type') => {
      const out: Record<string, { count: number; value_minor: Record<string, number> }> = {};
      for (const d of docs) {
        const o = (out[d[key]] ??= { count: 0, value_minor: {} });
        o.count++;
        o.value_minor[d.currency] = (o.value_minor[d.currency] ?? 0) + d.valueMinor;
      }
      return out;
    };
    const totals: Record<string, number> = {};
    for (const d of docs) totals[d.currency] = (totals[d.currency] ?? 0) + d.valueMinor;
    res.json({
      period: { label: period.label, from: period.from, to: period.to },
      ...(channel ? { channel } : {}),
      conversions: docs.length,
      refunded: docs.filter((d) => d.status === 'refunded').length,
      value: Object.fromEntries(Object.entries(totals).map(([c, v]) => [c, money(v, c)])),
      by_channel: by('channel'),
      by_type: by('type'),
    });
  });

  router.post('/conversions/:id/refund', admin, async (req, res) => {
    const body = refundBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const c = await Conversion.findById(req.params.id).lean();
    if (!c) throw new HttpError(404, 'not_found', `no conversion ${req.params.id}`, { field: 'conversion_id' });
    const outcome = await refundConversion(temporal, c._id, body.data.reason).catch((err) => {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'commission_closed', `the commission of ${c._id} is closed (past its clawback window)`);
      throw err;
    });
    res.status(202).json({ conversion_id: c._id, outcome });
  });

  const presentCommission = (c: any) => ({
    commission_id: c._id ?? c.commissionId,
    conversion_id: c.conversionId,
    affiliate_id: c.affiliateId,
    campaign_id: c.campaignId,
    status: c.status,
    base: money(c.baseMinor, c.currency),
    amount: c.amountMinor !== undefined ? money(c.amountMinor, c.currency) : c.calculation ? money(c.calculation.amountMinor, c.currency) : null,
    amount_minor: c.amountMinor ?? c.calculation?.amountMinor ?? null,
    currency: c.currency,
    percent: (c.rateBps ?? c.calculation?.rateBps ?? 0) / 100,
    bonus_percent: (c.bonusBps ?? c.calculation?.bonusBps ?? 0) / 100,
    ...(c.holdUntil ? { hold_until: c.holdUntil } : {}),
    ...(c.decision ? { decision: c.decision } : {}),
    ...(c.payoutId ? { payout_id: c.payoutId } : {}),
    updated_at: c.updatedAt,
    execution: executionUrl(config, commissionWorkflowId(c.conversionId)),
  });

  router.get('/commissions', viewer, async (req, res) => {
    const q = commissionsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { affiliate, status, period, limit } = q.data;
    const docs = await Commission.find({ ...(affiliate ? { affiliateId: affiliate } : {}), ...(status ? { status } : {}), ...(period ? { createdAt: { $gte: period.from, $lt: period.to } } : {}) })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean();
    res.json({ items: docs.map(presentCommission) });
  });

  /**
   * Totals per affiliate and campaign: earned (approved, payable, paid), clawed back, net, pending
   * (held or waiting for approval) and voided, from the ledger and the projection, exact in minor units.
   */
  router.get('/commissions/reports', viewer, async (req, res) => {
    const q = reportQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { period, format } = q.data;
    const commissions = await Commission.find({ createdAt: { $gte: period.from, $lt: period.to } }, { affiliateId: 1, campaignId: 1, status: 1, amountMinor: 1, currency: 1 }).lean();
    const ledger = await LedgerEntry.find({ commissionId: { $in: commissions.map((c) => c._id) } }, { commissionId: 1, kind: 1, amountMinor: 1 }).lean();
    const clawbacks = new Map(ledger.filter((e) => e.kind === 'clawback').map((e) => [e.commissionId, e.amountMinor]));
    const payable = new Map(ledger.filter((e) => e.kind === 'payable').map((e) => [e.commissionId, e.amountMinor]));
    type Row = { affiliate_id: string; campaign_id: string; currency: string; commissions: number; earned_minor: number; clawed_back_minor: number; net_minor: number; pending_minor: number; voided: number };
    const rows = new Map<string, Row>();
    for (const c of commissions) {
      const key = `${c.affiliateId}|${c.campaignId}|${c.currency}`;
      const r = rows.get(key) ?? { affiliate_id: c.affiliateId, campaign_id: c.campaignId, currency: c.currency, commissions: 0, earned_minor: 0, clawed_back_minor: 0, net_minor: 0, pending_minor: 0, voided: 0 };
      r.commissions++;
      const earned = payable.get(c._id) ?? 0;
      const clawed = clawbacks.get(c._id) ?? 0;
      r.earned_minor += earned;
      r.clawed_back_minor += clawed;
      r.net_minor += earned + clawed;
      if (['created', 'calculated', 'held', 'pending_approval', 'approved'].includes(c.status) && earned === 0) r.pending_minor += c.amountMinor ?? 0;
      if (c.status === 'voided' || c.status === 'rejected') r.voided++;
      rows.set(key, r);
    }
    const list = [...rows.values()].sort((a, b) => a.affiliate_id.localeCompare(b.affiliate_id) || a.campaign_id.localeCompare(b.campaign_id));
    if (format === 'csv') {
      const csv = stringify(
        list.map((r) => ({ ...r, earned: money(r.earned_minor, r.currency), clawed_back: money(r.clawed_back_minor, r.currency), net: money(r.net_minor, r.currency), pending: money(r.pending_minor, r.currency) })),
        { header: true, columns: ['affiliate_id', 'campaign_id', 'currency', 'commissions', 'earned', 'clawed_back', 'net', 'pending', 'voided', 'earned_minor', 'net_minor'] },
      );
      res.type('text/csv').setHeader('content-disposition', `attachment; filename="commissions-${period.label}.csv"`).send(csv);
      return;
    }
    const totals: Record<string, { earned: string; clawed_back: string; net: string; net_minor: number }> = {};
    for (const r of list) {
      const t = (totals[r.currency] ??= { earned: '0', clawed_back: '0', net: '0', net_minor: 0 });
      t.net_minor += r.net_minor;
    }
    for (const [cur, t] of Object.entries(totals)) {
      const earned = list.filter((r) => r.currency === cur).reduce((s, r) => s + r.earned_minor, 0);
      const clawed = list.filter((r) => r.currency === cur).reduce((s, r) => s + r.clawed_back_minor, 0);
      Object.assign(t, { earned: money(earned, cur), clawed_back: money(clawed, cur), net: money(t.net_minor, cur) });
    }
    res.json({ period: { label: period.label, from: period.from, to: period.to }, totals, rows: list.map((r) => ({ ...r, earned: money(r.earned_minor, r.currency), net: money(r.net_minor, r.currency) })) });
  });

  router.get('/commissions/:id', viewer, async (req, res) => {
    const doc = await Commission.findById(req.params.id).lean();
    if (!doc) throw new HttpError(404, 'not_found', `no commission ${req.params.id}`, { field: 'commission_id' });
    const live = await temporal.workflow.getHandle(commissionWorkflowId(doc.conversionId)).query(commissionStateQuery).catch(() => undefined);
    res.json({ ...presentCommission(doc), ...(live ? { status: live.status, reminders_sent: live.remindersSent } : {}), source: live ? 'workflow' : 'projection' });
  });

  for (const [path, approved] of [['approve', true], ['reject', false]] as const) {
    router.post(`/commissions/:id/${path}`, admin, async (req, res) => {
      const body = decisionBody.safeParse(req.body ?? {});
      if (!body.success) throw validationError(body.error);
      const doc = await Commission.findById(req.params.id).lean();
      if (!doc) throw new HttpError(404, 'not_found', `no commission ${req.params.id}`, { field: 'commission_id' });
      try {
        const view = await temporal.workflow.getHandle(commissionWorkflowId(doc.conversionId)).executeUpdate(decideCommissionUpdate, { args: [{ approved, by: actorName(principalOf(res)), comment: body.data.comment }] });
        res.json(presentCommission(view));
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === NOT_AWAITING_APPROVAL) {
          throw new HttpError(409, 'not_pending_approval', err.cause.message, { field: 'status', ...(err.cause.details?.[0] as object) });
        }
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'not_pending_approval', `commission ${doc._id} is ${doc.status}`, { current: doc.status });
        throw err;
      }
    });
  }

  // ---- Payouts -------------------------------------------------------------------------------
  /** Runs the payout batch now (the monthly schedule does the same): waits for its result. */
  router.post('/payouts/run', admin, async (req, res) => {
    const body = payoutRunBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const period = body.data.period;
    const result = await temporal.workflow.execute<WorkflowOf<typeof commissionPayoutBatchWorkflow>>(commissionPayoutBatchWorkflow.type, {
      taskQueue: commissionPayoutBatchWorkflow.taskQueue,
      workflowId: `commission-payout-batch-${period ?? 'now'}-${Date.now()}`,
      args: [period ? { period } : {}],
    });
    res.json({ ...result, csv: `/api/v1/payouts/batches/${result.period}.csv` });
  });

  router.get('/payouts', viewer, async (req, res) => {
    const q = payoutsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const docs = await Payout.find({ ...(q.data.period ? { period: q.data.period } : {}), ...(q.data.affiliate ? { affiliateId: q.data.affiliate } : {}), ...(q.data.status ? { status: q.data.status } : {}) }).sort({ _id: 1 }).lean();
    res.json({ items: docs.map((p) => ({ payout_id: p._id, period: p.period, affiliate_id: p.affiliateId, amount: money(p.amountMinor, p.currency), amount_minor: p.amountMinor, currency: p.currency, entries: p.entries.length, status: p.status, paid_at: p.paidAt, reference: p.reference })) });
  });

  router.get('/payouts/batches/:file', viewer, async (req, res) => {
    const m = /^(\d{4}-\d{2})\.csv$/.exec(req.params.file as string);
    if (!m) throw new HttpError(404, 'not_found', 'batches are /payouts/batches/<YYYY-MM>.csv');
    if (!(await PayoutBatch.exists({ _id: `batch-${m[1]}` }))) throw new HttpError(404, 'not_found', `no payout batch for ${m[1]}`, { field: 'period' });
    const { csv } = await payoutCsv(m[1]); // current statuses, not the ones at batch time
    res.type('text/csv').setHeader('content-disposition', `attachment; filename="payouts-${m[1]}.csv"`).send(csv);
  });

  /** Money moved outside the product: mark the payout (and its commissions) paid. Idempotent. */
  router.post('/payouts/:id/confirm', admin, async (req, res) => {
    const body = confirmBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const p = await Payout.findById(req.params.id).lean();
    if (!p) throw new HttpError(404, 'not_found', `no payout ${req.params.id}`, { field: 'payout_id' });
    if (p.status !== 'paid') {
      const paidAt = new Date();
      await Payout.updateOne({ _id: p._id }, { $set: { status: 'paid', paidAt, ...(body.data.reference ? { reference: body.data.reference } : {}) } });
      await Commission.updateMany({ payoutId: p._id, status: 'payable' }, { $set: { status: 'paid' } });
      await appendBusinessEvent({ tipo_evento: 'pago_confirmado', entityId: p._id, afiliado_id: p.affiliateId, datos: { monto_minor: p.amountMinor, moneda: p.currency, referencia: body.data.reference }, origen: 'comisiones', at: paidAt });
    }
    const now = (await Payout.findById(p._id).lean())!;
    res.json({ payout_id: now._id, status: now.status, paid_at: now.paidAt, amount: money(now.amountMinor, now.currency), currency: now.currency });
  });

  // ---- Event log -------------------------------------------------------------------------------
  router.get('/events', viewer, async (req, res) => {
    const q = eventsQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { type, since, affiliate, limit } = q.data;
    const docs = await BusinessEvent.find({ ...(type ? { tipo_evento: type } : {}), ...(since ? { fecha_evento: { $gte: since } } : {}), ...(affiliate ? { afiliado_id: affiliate } : {}) })
      .sort({ fecha_evento: 1, _id: 1 })
      .limit(limit)
      .lean();
    res.json({ items: docs.map(({ _id, ...e }) => ({ evento_id: _id, ...e })) });
  });

  return router;
}
