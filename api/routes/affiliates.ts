/**
 * Affiliates and campaigns (seed 004), admin only. Percentages are basis points inside, percent
 * outside; money is decimal text outside, minor units inside; bank data is encrypted at rest and
 * always masked here.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { percentToBps } from '../../domain/commissions/rates';
import { appendBusinessEvent } from '../../domain/commissions/business-events';
import type { Config } from '../../common/config';
import { decryptField, encryptField, keyFromBase64, maskTail } from '../../common/crypto';
import { Affiliate, AFFILIATE_TIERS, type AffiliateDoc } from '../../domain/persistence/models/affiliate';
import { Campaign, type CampaignDoc } from '../../domain/persistence/models/campaign';
import { isDuplicateKey } from '../../domain/persistence/write-patterns';
import { CURRENCIES, formatMinorUnits, type Currency } from '../../common/money';
import { minorUnitsOf } from '../amounts';
import { requireRole, requireStaff } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';
import { emailAddress } from '../email-address';

const percent = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return percentToBps(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const amount = z.union([z.number(), z.string().max(32)]);
const bank = z.object({ bank: z.string().trim().min(1).max(100), account_type: z.string().trim().min(1).max(40), account_number: z.string().regex(/^[0-9A-Za-z-]{4,34}$/, 'must be 4–34 letters, digits or dashes') });

export const affiliateBody = z.object({
  name: z.string().trim().min(1).max(200),
  email: emailAddress(),
  phone: z.string().regex(/^\+?[0-9 ()-]{6,24}$/, 'is not a phone number').optional(),
  code: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, 'must be 2–64 letters, digits, dash or underscore').optional(),
  document: z.object({ type: z.string().trim().min(1).max(30), number: z.string().trim().min(3).max(40) }).optional(),
  tier: z.enum(AFFILIATE_TIERS).default('base'),
  currency: z.enum(CURRENCIES),
  commission: z.object({ base_percent: percent, premium_percent: percent, minimum_payout: amount }),
  bank: bank.optional(),
});
export const affiliateUpdate = affiliateBody.omit({ code: true, currency: true }).partial().extend({ status: z.enum(['active', 'inactive']).optional() });

export const campaignBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    type: z.string().max(40).optional(),
    starts_at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    ends_at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    budget: amount,
    currency: z.enum(CURRENCIES),
    channels: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    segmentation: z.record(z.string(), z.unknown()).optional(),
    commission: z
      .object({ conversion_percent: percent, sale_percent: percent, bonus_percent: percent, bonus_target: z.number().int().min(1), cap: amount })
      .partial()
      .default({}),
    status: z.enum(['draft', 'active', 'paused']).default('draft'),
  })
  .refine((c) => c.ends_at > c.starts_at, { path: ['ends_at'], message: 'must be after starts_at' });

const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Request schemas (also read by the OpenAPI document, api/openapi.ts). */
export const affiliatesQuery = z.object({ status: z.enum(['active', 'inactive']).optional(), tier: z.enum(AFFILIATE_TIERS).optional() });
export const campaignUpdateBody = z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(2000), ends_at: z.iso.datetime({ offset: true }), budget: amount, status: z.enum(['draft', 'active', 'paused']) }).partial();

export function affiliatesRouter(deps: { config: Config }) {
  const key = keyFromBase64(deps.config.DATA_ENCRYPTION_KEY);
  const router = apiRouter();
  const admin = requireRole('admin');
  const viewer = requireStaff('viewer');

  function presentAffiliate(a: AffiliateDoc & { _id: string }) {
    const cur = a.currency as Currency;
    let bankOut: Record<string, string> | undefined;
    if (a.bankEncrypted) {
      const b = JSON.parse(decryptField(key, a.bankEncrypted));
      bankOut = { bank: b.bank, account_type: b.account_type, account_number: maskTail(b.account_number) };
    }
    return {
      affiliate_id: a._id,
      code: a.code,
      name: a.name,
      email: a.email,
      ...(a.phone ? { phone: a.phone } : {}),
      ...(a.document?.number ? { document: { type: a.document.type, number: maskTail(a.document.number) } } : {}),
      tier: a.tier,
      currency: cur,
      commission: { base_percent: a.commission!.baseBps / 100, premium_percent: a.commission!.premiumBps / 100, minimum_payout: formatMinorUnits(a.commission!.minimumPayoutMinor, cur) },
      ...(bankOut ? { bank: bankOut } : {}),
      status: a.status,
      created_at: a.createdAt,
      updated_at: a.updatedAt,
    };
  }

  router.post('/affiliates', admin, async (req, res) => {
    const body = affiliateBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const now = new Date();
    const _id = newId('af');
    const doc = {
      _id,
      code: b.code ?? _id.replace('af_', 'AF').toUpperCase(),
      name: b.name,
      email: b.email.toLowerCase(),
      ...(b.phone ? { phone: b.phone } : {}),
      ...(b.document ? { document: b.document } : {}),
      tier: b.tier,
      currency: b.currency,
      commission: { baseBps: b.commission.base_percent, premiumBps: b.commission.premium_percent, minimumPayoutMinor: minorUnitsOf(b.commission.minimum_payout, b.currency, 'commission.minimum_payout') },
      ...(b.bank ? { bankEncrypted: encryptField(key, JSON.stringify(b.bank)), bankLast4: b.bank.account_number.slice(-4) } : {}),
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await Affiliate.collection.insertOne(doc as never);
    } catch (err) {
      if (isDuplicateKey(err)) throw new HttpError(409, 'code_taken', `affiliate code ${doc.code} is taken`, { field: 'code' });
      throw err;
    }
    await appendBusinessEvent({
      tipo_evento: 'afiliado_creado',
      entityId: _id,
      afiliado_id: _id,
      datos: { nombre: doc.name, email: doc.email, tipo_afiliado: doc.tier, configuracion_comisiones: { comision_base: b.commission.base_percent / 100, comision_premium: b.commission.premium_percent / 100 } },
      origen: 'afiliados',
      at: now,
    });
    res.status(201).json(presentAffiliate(doc as never));
  });

  router.get('/affiliates', viewer, async (req, res) => {
    const q = affiliatesQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const docs = await Affiliate.find({ ...(q.data.status ? { status: q.data.status } : {}), ...(q.data.tier ? { tier: q.data.tier } : {}) }).sort({ createdAt: -1 }).limit(500).lean();
    res.json({ items: docs.map((d) => presentAffiliate(d as never)) });
  });

  router.get('/affiliates/:id', viewer, async (req, res) => {
    const a = await Affiliate.findById(req.params.id).lean();
    if (!a) throw new HttpError(404, 'not_found', `no affiliate ${req.params.id}`, { field: 'affiliate_id' });
    res.json(presentAffiliate(a as never));
  });

  router.patch('/affiliates/:id', admin, async (req, res) => {
    const body = affiliateUpdate.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const a = await Affiliate.findById(req.params.id).lean();
    if (!a) throw new HttpError(404, 'not_found', `no affiliate ${req.params.id}`, { field: 'affiliate_id' });
    const b = body.data;
    const set: Record<string, unknown> = { updatedAt: new Date() };
    for (const k of ['name', 'phone', 'document', 'tier', 'status'] as const) if (b[k] !== undefined) set[k] = b[k];
    if (b.email) set.email = b.email.toLowerCase();
    if (b.commission) set.commission = { baseBps: b.commission.base_percent, premiumBps: b.commission.premium_percent, minimumPayoutMinor: minorUnitsOf(b.commission.minimum_payout, a.currency as Currency, 'commission.minimum_payout') };
    if (b.bank) Object.assign(set, { bankEncrypted: encryptField(key, JSON.stringify(b.bank)), bankLast4: b.bank.account_number.slice(-4) });
    await Affiliate.updateOne({ _id: a._id }, { $set: set });
    await appendBusinessEvent({ tipo_evento: 'afiliado_actualizado', entityId: `${a._id}_${Date.now()}`, afiliado_id: a._id, datos: { campos: Object.keys(set).filter((k) => k !== 'updatedAt' && k !== 'bankEncrypted') }, origen: 'afiliados' });
    res.json(presentAffiliate((await Affiliate.findById(a._id).lean()) as never));
  });

  /** Deactivate: no new conversions; commissions already earned continue. */
  router.delete('/affiliates/:id', admin, async (req, res) => {
    const r = await Affiliate.updateOne({ _id: req.params.id }, { $set: { status: 'inactive', updatedAt: new Date() } });
    if (r.matchedCount === 0) throw new HttpError(404, 'not_found', `no affiliate ${req.params.id}`, { field: 'affiliate_id' });
    await appendBusinessEvent({ tipo_evento: 'afiliado_desactivado', entityId: (req.params.id as string), afiliado_id: (req.params.id as string), origen: 'afiliados' });
    res.json(presentAffiliate((await Affiliate.findById(req.params.id).lean()) as never));
  });

  function presentCampaign(c: CampaignDoc & { _id: string }) {
    const cur = c.currency as Currency;
    const cc = c.commission ?? {};
    return {
      campaign_id: c._id,
      name: c.name,
      ...(c.description ? { description: c.description } : {}),
      ...(c.type ? { type: c.type } : {}),
      starts_at: c.startsAt,
      ends_at: c.endsAt,
      budget: formatMinorUnits(c.budgetMinor, cur),
      currency: cur,
      channels: c.channels,
      ...(c.segmentation ? { segmentation: c.segmentation } : {}),
      commission: {
        ...(cc.conversionBps != null ? { conversion_percent: cc.conversionBps / 100 } : {}),
        ...(cc.saleBps != null ? { sale_percent: cc.saleBps / 100 } : {}),
        ...(cc.bonusBps != null ? { bonus_percent: cc.bonusBps / 100, bonus_target: cc.bonusTarget } : {}),
        ...(cc.capMinor != null ? { cap: formatMinorUnits(cc.capMinor, cur) } : {}),
      },
      status: c.status,
      created_at: c.createdAt,
    };
  }

  router.post('/campaigns', admin, async (req, res) => {
    const body = campaignBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const b = body.data;
    const now = new Date();
    const c = b.commission;
    const doc = {
      _id: newId('camp'),
      name: b.name,
      ...(b.description ? { description: b.description } : {}),
      ...(b.type ? { type: b.type } : {}),
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      budgetMinor: minorUnitsOf(b.budget, b.currency, 'budget'),
      currency: b.currency,
      channels: b.channels,
      ...(b.segmentation ? { segmentation: b.segmentation } : {}),
      commission: {
        ...(c.conversion_percent !== undefined ? { conversionBps: c.conversion_percent } : {}),
        ...(c.sale_percent !== undefined ? { saleBps: c.sale_percent } : {}),
        ...(c.bonus_percent !== undefined ? { bonusBps: c.bonus_percent, bonusTarget: c.bonus_target ?? 1 } : {}),
        ...(c.cap !== undefined ? { capMinor: minorUnitsOf(c.cap, b.currency, 'commission.cap') } : {}),
      },
      status: b.status,
      createdAt: now,
      updatedAt: now,
    };
    await Campaign.collection.insertOne(doc as never);
    await appendBusinessEvent({ tipo_evento: 'campana_creada', entityId: doc._id, campana_id: doc._id, datos: { nombre: doc.name, moneda: doc.currency, estado: doc.status }, origen: 'marketing' });
    res.status(201).json(presentCampaign(doc as never));
  });

  router.get('/campaigns', viewer, async (_req, res) => {
    const docs = await Campaign.find({}).sort({ createdAt: -1 }).limit(500).lean();
    res.json({ items: docs.map((d) => presentCampaign(d as never)) });
  });

  router.get('/campaigns/:id', viewer, async (req, res) => {
    const c = await Campaign.findById(req.params.id).lean();
    if (!c) throw new HttpError(404, 'not_found', `no campaign ${req.params.id}`, { field: 'campaign_id' });
    res.json(presentCampaign(c as never));
  });

  router.patch('/campaigns/:id', admin, async (req, res) => {
    const c = await Campaign.findById(req.params.id).lean();
    if (!c) throw new HttpError(404, 'not_found', `no campaign ${req.params.id}`, { field: 'campaign_id' });
    const upd = campaignUpdateBody.safeParse(req.body ?? {});
    if (!upd.success) throw validationError(upd.error);
    const u = upd.data;
    const set: Record<string, unknown> = { updatedAt: new Date() };
    if (u.name) set.name = u.name;
    if (u.description !== undefined) set.description = u.description;
    if (u.status) set.status = u.status;
    if (u.budget !== undefined) set.budgetMinor = minorUnitsOf(u.budget, c.currency as Currency, 'budget');
    if (u.ends_at) {
      if (new Date(u.ends_at) <= c.startsAt) throw new HttpError(422, 'invalid_dates', 'ends_at: must be after starts_at', { field: 'ends_at' });
      set.endsAt = new Date(u.ends_at);
    }
    await Campaign.updateOne({ _id: c._id }, { $set: set });
    res.json(presentCampaign((await Campaign.findById(c._id).lean()) as never));
  });

  router.post('/campaigns/:id/activate', admin, async (req, res) => {
    const r = await Campaign.updateOne({ _id: req.params.id }, { $set: { status: 'active', updatedAt: new Date() } });
    if (r.matchedCount === 0) throw new HttpError(404, 'not_found', `no campaign ${req.params.id}`, { field: 'campaign_id' });
    await appendBusinessEvent({ tipo_evento: 'campana_activada', entityId: (req.params.id as string), campana_id: (req.params.id as string), origen: 'marketing' });
    res.json(presentCampaign((await Campaign.findById(req.params.id).lean()) as never));
  });

  return router;
}
