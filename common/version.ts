import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The product version from package.json, found from source (tsx) and from dist/ alike. */
export function productVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pagos-flow' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0-unknown';
}
