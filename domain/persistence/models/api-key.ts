import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/** Staff roles, each one including the one before: viewer reads, operator also acts on incidents and retries, admin does everything. */
export const API_KEY_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * An API key, stored as the SHA-256 of its secret (the secret is 32 random bytes, so a fast hash
 * is enough: there is nothing to brute-force). The presented key is `pfk_<id>_<secret>`; the id
 * finds the row by _id, the secret is compared in constant time. Revoked keys stay, for the audit.
 */
const apiKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: API_KEY_ROLES, required: true },
    secretSha256: { type: String, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    revokedAt: { type: Date },
    revokedBy: { type: String },
    lastUsedAt: { type: Date },
  },
  { collection: 'api_keys', versionKey: false },
);

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;
export const ApiKey: Model<ApiKeyDoc> = (models.ApiKey as Model<ApiKeyDoc>) ?? model<ApiKeyDoc>('ApiKey', apiKeySchema);

/**
 * Who called what, when, and what came of it: every request to the API under /api/v1, /auth, /metrics
 * and /health/deep, allowed or not (401 and 403 included). Kept AUDIT_RETENTION_DAYS.
 */
const accessAuditSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true, index: true },
    actor: {
      kind: { type: String, enum: ['user', 'api_key', 'anonymous'], required: true },
      id: { type: String },
      name: { type: String },
      role: { type: String },
    },
    method: { type: String, required: true },
    path: { type: String, required: true },
    route: { type: String },
    status: { type: Number, required: true },
    result: { type: String, enum: ['allowed', 'unauthenticated', 'forbidden', 'rate_limited', 'client_error', 'server_error'], required: true },
    ip: { type: String },
    durationMs: { type: Number },
  },
  { collection: 'access_audit', versionKey: false },
);

export type AccessAuditDoc = InferSchemaType<typeof accessAuditSchema>;
export const AccessAudit: Model<AccessAuditDoc> = (models.AccessAudit as Model<AccessAuditDoc>) ?? model<AccessAuditDoc>('AccessAudit', accessAuditSchema);
