import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

export const USER_ROLES = ['customer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const USER_STATUSES = ['active', 'deactivated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * A person who signs in with email and password. Keyed by the normalised email, so login is a
 * lookup by _id (the one filter FerretDB v1 answers without a scan) and a second registration of
 * the same email is a duplicate-key error, atomically.
 */
const userSchema = new Schema(
  {
    /** lower-cased email */
    _id: { type: String, required: true },
    userId: { type: String, required: true, unique: true },
    email: { type: String, required: true },
    name: { type: String, required: true },
    phone: { type: String },
    role: { type: String, enum: USER_ROLES, required: true },
    /** argon2id PHC string */
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** Absent means active (accounts created before deactivation existed). */
    status: { type: String, enum: USER_STATUSES },
    /**
     * The session generation every token carries (claim `sep`): a new value (password reset or
     * change) makes every access and refresh token issued before it fail at its next use.
     */
    sessionEpoch: { type: String },
    passwordChangedAt: { type: Date },
    updatedAt: { type: Date },
  },
  { collection: 'users', versionKey: false },
);

export type UserDoc = InferSchemaType<typeof userSchema>;
export const User: Model<UserDoc> = (models.User as Model<UserDoc>) ?? model<UserDoc>('User', userSchema);
