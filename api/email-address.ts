import { z } from 'zod';

/**
 * An email address as mail servers take it (RFC 5321): at most 254 characters, a local part of at
 * most 64, and zod's address syntax. Every email the API accepts goes through this one schema.
 */
export const emailAddress = () =>
  z
    .email()
    .max(254)
    .refine((v) => v.lastIndexOf('@') <= 64, { message: 'the part before @ has at most 64 characters' });
