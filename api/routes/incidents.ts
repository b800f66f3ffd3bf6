import { randomUUID } from 'node:crypto';
import { type Response } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../../common/config';
import { Incident } from '../../domain/persistence/models/incident';
import { MaintenanceWindowModel } from '../../domain/persistence/models/maintenance-window';
import { executionUrl } from '../../common/temporal';
import { ALERT_RULE_NAMES } from '../../common/ops-policy';
import { acknowledgeUpdate, BUSINESS_ALERT_RULES, incidentQuery, incidentWorkflowId, resolveUpdate, type AffectedExecution, type IncidentState } from '../../contracts/ops';
import { actorName, principalOf, requireStaff } from '../auth/principal';
import { HttpError, validationError } from '../errors';
import { apiRouter } from '../request-guards';

const STATUS_FILTER = ['triggered', 'acknowledged', 'resolved', 'open'] as const;
export const listQuery = z.object({
  status: z.enum(STATUS_FILTER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const actionBody = z.object({ note: z.string().max(1000).optional() });
/** Rules a maintenance window may name: the configured rules and those of business workflows. */
const KNOWN_RULES = new Set<string>([...ALERT_RULE_NAMES, ...BUSINESS_ALERT_RULES]);
/** The longest maintenance window: a week. Longer silences are a rule's `enabled: false`. */
const MAX_WINDOW_HOURS = 7 * 24;

export const windowBody = z
  .object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    rules: z.array(z.string().min(1).max(64)).max(50).default([]),
    reason: z.string().max(500).default(''),
  })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { path: ['end'], message: 'must be after start' });

const actor = (res: Response) => actorName(principalOf(res));
const viewer = requireStaff('viewer');
const operator = requireStaff('operator');

/** An incident as the API shows it (list, detail, dashboard), with a link to its execution. */
export const presentIncident = (config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, doc: any) => ({
  id: doc._id,
  dedup_key: doc.dedupKey,
  rule: doc.rule,
  severity: doc.severity,
  title: doc.title,
  message: doc.message,
  status: doc.status,
  level: doc.level,
  alert_count: doc.alertCount,
  opened_at: doc.openedAt,
  acknowledged_at: doc.acknowledgedAt ?? null,
  acknowledged_by: doc.acknowledgedBy ?? null,
  resolved_at: doc.resolvedAt ?? null,
  resolved_by: doc.resolvedBy ?? null,
  resolution: doc.resolution ?? null,
  notifications: { sent: doc.notificationsSent ?? 0, failed: doc.notificationsFailed ?? 0 },
  timeline: doc.timeline,
  execution: { workflowId: doc.workflowId, runId: doc.runId, url: executionUrl(config, doc.workflowId, doc.runId) },
  // Grouped incidents: the executions they stand for, each with its Web UI link.
  affected: doc.affected
    ? {
        total: doc.affected.total,
        open: doc.affected.open,
        executions: (doc.affected.listed ?? []).map((x: AffectedExecution) => ({
          key: x.key,
          workflow_id: x.workflowId,
          url: executionUrl(config, x.workflowId),
          failed_at: x.at,
          summary: x.summary,
          recovered_at: x.recoveredAt ?? null,
        })),
      }
    : null,
});

/** Incidents (read from their projection, acted on through their workflow) and maintenance windows. */
export function incidentsRouter(deps: { config: Config; temporal: Client }) {
  const router = apiRouter();
  const present = (doc: any) => presentIncident(deps.config, doc);

  router.get('/incidents', viewer, async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    const { status, limit } = q.data;
    const filter = status === 'open' ? { status: { $in: ['triggered', 'acknowledged'] } } : status ? { status } : {};
    const docs = await Incident.find(filter).sort({ openedAt: -1 }).limit(limit).lean();
    res.json({ items: docs.map(present) });
  });

  router.get('/incidents/:dedupKey', viewer, async (req, res) => {
    const workflowId = incidentWorkflowId(req.params.dedupKey as string);
    const live = await deps.temporal.workflow
      .getHandle(workflowId)
      .query(incidentQuery)
      .catch(() => null);
    const docs = await Incident.find({ dedupKey: req.params.dedupKey }).sort({ openedAt: -1 }).limit(20).lean();
    if (!live && docs.length === 0) throw new HttpError(404, 'not_found', `no incident for ${req.params.dedupKey}`, { field: 'dedupKey' });
    res.json({ live, history: docs.map(present) });
  });

  for (const [path, update] of [
    ['acknowledge', acknowledgeUpdate],
    ['resolve', resolveUpdate],
  ] as const) {
    router.post(`/incidents/:dedupKey/${path}`, operator, async (req, res) => {
      const body = actionBody.safeParse(req.body ?? {});
      if (!body.success) throw validationError(body.error);
      const handle = deps.temporal.workflow.getHandle(incidentWorkflowId(req.params.dedupKey as string));
      try {
        const state: IncidentState = await handle.executeUpdate(update, { args: [{ by: actor(res), note: body.data.note }] });
        res.json({ dedup_key: state.dedupKey, status: state.status, level: state.level, acknowledged_by: state.acknowledgedBy ?? null, resolved_by: state.resolvedBy ?? null });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // The incident's workflow has closed: it was resolved (409), or there never was one (404).
          const last = await Incident.findOne({ dedupKey: req.params.dedupKey }).sort({ openedAt: -1 }).lean();
          if (last?.status === 'resolved') throw new HttpError(409, 'already_resolved', `incident ${req.params.dedupKey} is already resolved`, { field: 'status', current: 'resolved' });
          throw new HttpError(404, 'not_found', `no open incident for ${req.params.dedupKey}`, { field: 'dedupKey' });
        }
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'IncidentResolved') {
          throw new HttpError(409, 'already_resolved', err.cause.message, { field: 'status', current: 'resolved' });
        }
        throw err;
      }
    });
  }

  router.get('/maintenance-windows', viewer, async (_req, res) => {
    const stored = await MaintenanceWindowModel.find({}).sort({ start: 1 }).lean();
    res.json({
      configured: deps.config.MAINTENANCE_WINDOWS,
      items: stored.map((w: any) => ({ id: w._id, start: w.start, end: w.end, rules: w.rules, reason: w.reason, created_by: w.createdBy, active: w.start <= new Date() && new Date() < w.end })),
    });
  });

  router.post('/maintenance-windows', operator, async (req, res) => {
    const body = windowBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const w = body.data;
    // A window silences paging: it must name rules that exist, and cannot silence them for long.
    const unknown = w.rules.findIndex((r) => !KNOWN_RULES.has(r));
    if (unknown !== -1) throw new HttpError(422, 'unknown_rule', `rules.${unknown}: ${w.rules[unknown]} is not an alert rule (${[...KNOWN_RULES].join(', ')})`, { field: `rules.${unknown}` });
    const hours = (Date.parse(w.end) - Date.parse(w.start)) / 3_600_000;
    if (hours > MAX_WINDOW_HOURS) throw new HttpError(422, 'window_too_long', `end: a maintenance window lasts at most ${MAX_WINDOW_HOURS} h, not ${Math.round(hours)} h`, { field: 'end' });
    const id = `mw_${randomUUID()}`;
    await MaintenanceWindowModel.create({ _id: id, start: new Date(w.start), end: new Date(w.end), rules: w.rules, reason: w.reason, createdBy: actor(res), createdAt: new Date() });
    res.status(201).json({ id, ...w });
  });

  router.delete('/maintenance-windows/:id', operator, async (req, res) => {
    const r = await MaintenanceWindowModel.deleteOne({ _id: req.params.id });
    if (r.deletedCount === 0) throw new HttpError(404, 'not_found', `no maintenance window ${req.params.id}`, { field: 'id' });
    res.status(204).end();
  });

  return router;
}
