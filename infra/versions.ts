/**
 * infra/versions.env, the one source of pinned versions, read by TypeScript (the production tier's
 * harness and the compose test). infra/install.sh sources the same file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const VERSIONS_FILE = path.resolve(__dirname, 'versions.env');

export function readVersions(file = VERSIONS_FILE): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}
