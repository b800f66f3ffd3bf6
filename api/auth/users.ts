import { randomUUID } from 'node:crypto';
import { User, type UserRole } from '../../domain/persistence/models/user';
import { hashPassword } from './passwords';
import { isDuplicateKey } from '../../domain/persistence/write-patterns';


export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Creates a user; undefined if the email is taken (the insert of its _id is the atomic check). */
export async function createUser(input: { email: string; password: string; name: string; phone?: string; role: UserRole }) {
  const email = normaliseEmail(input.email);
  const doc = {
    _id: email,
    userId: randomUUID(),
    email,
    name: input.name,
    ...(input.phone ? { phone: input.phone } : {}),
    role: input.role,
    passwordHash: await hashPassword(input.password),
    createdAt: new Date(),
  };
  try {
    await User.collection.insertOne(doc as never);
    return doc;
  } catch (err) {
    if (isDuplicateKey(err)) return undefined;
    throw err;
  }
}

/** The configured admin account exists (created once; an existing account is left as it is). */
export async function ensureAdmin(email: string, password: string): Promise<'created' | 'exists'> {
  const created = await createUser({ email, password, name: 'Administrator', role: 'admin' });
  return created ? 'created' : 'exists';
}
