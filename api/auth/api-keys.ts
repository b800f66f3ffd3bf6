import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * API keys (ops and integrations). Keys are compared as SHA-256 digests in constant time, so
 * neither a key's length nor its prefix leaks through timing.
 */
export function apiKeyMatcher(keys: string[]): (presented: string) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    const d = digest(presented);
    let found = false;
    for (const k of digests) found = timingSafeEqual(k, d) || found;
    return found;
  };
}
