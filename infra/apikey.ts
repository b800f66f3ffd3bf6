/**
 * npm run apikey -- create --name <name> --role viewer|operator|admin
 * npm run apikey -- list
 * npm run apikey -- revoke <id>
 *
 * Manages the API's keys in MONGODB_URI's database (the same as POST/GET/DELETE /api/v1/api-keys).
 * The new key is printed once; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config';
import { API_KEY_ROLES, ApiKey, type ApiKeyRole } from '../domain/persistence/models/api-key';
import { connectMongo, disconnectMongo } from '../domain/persistence/connection';
import { createApiKey, presentApiKey, revokeApiKey } from '../api/auth/api-keys';

const USAGE = 'usage: npm run apikey -- create --name <name> --role viewer|operator|admin | list | revoke <id>';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const [command, arg] = positionals;
  if (command === 'create' && (!values.name || !API_KEY_ROLES.includes(values.role as ApiKeyRole))) {
    console.error(`${USAGE}\n--name is required and --role must be one of ${API_KEY_ROLES.join(', ')}`);
    return 2;
  }
  if (!['create', 'list', 'revoke'].includes(command ?? '') || (command === 'revoke' && !arg)) {
    console.error(USAGE);
    return 2;
  }
  await connectMongo(loadConfig(), { waitMs: 10_000 });
  try {
    const by = `cli:${process.env.USER ?? 'unknown'}`;
    if (command === 'create') {
      const k = await createApiKey({ name: values.name!, role: values.role as ApiKeyRole, createdBy: by });
      if (values.json) console.log(JSON.stringify(k));
      else console.log(`created ${k.role} key ${k.id} (${k.name}); it is shown once:\n${k.key}`);
    } else if (command === 'list') {
      const items = (await ApiKey.find({}).sort({ createdAt: -1 }).lean()).map(presentApiKey);
      if (values.json) console.log(JSON.stringify(items));
      else for (const k of items) console.log(`${k.id}  ${k.role.padEnd(8)} ${k.status.padEnd(7)} ${k.name}  (created ${k.created_at.toISOString()} by ${k.created_by})`);
    } else {
      const r = await revokeApiKey(arg!, by);
      if (!r.revoked) {
        console.error(r.reason === 'not_found' ? `no API key ${arg}` : `API key ${arg} was already revoked at ${r.revokedAt?.toISOString()}`);
        return 1;
      }
      console.log(`revoked ${arg}`);
    }
    return 0;
  } finally {
    await disconnectMongo();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
