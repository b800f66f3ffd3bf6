/**
 * Retry policies, declared once per system the workflows talk to. Activities never retry on their
 * own: Temporal does, with these schedules.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** MongoDB: fast retries; a blip of the database should not hold up a workflow for minutes. */
export const mongoActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
};

/** Probes measure; retrying one would hide the very failure it reports. */
export const probeActivity: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
};
