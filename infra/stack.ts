/**
 * The whole dev stack on embedded defaults, in order, each part healthy before the next:
 * Temporal dev server (SQLite history + Web UI) → FerretDB → provider sandbox → workers → API.
 * One log folder (.data/logs); Ctrl-C stops every part cleanly, in reverse order.
 * A Temporal address or MongoDB URI that is not local means "use that one": nothing is started for it.
 * Once all parts are healthy it runs the main job once (infra/demo.ts) to show the pipeline working;
 * `--no-demo` skips that, `--exit-after-demo` stops everything afterwards (exit 0 only if it worked).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig, type Config } from '../common/config';
import { runMainJob } from './demo';
import {
  ferretDbUri,
  isEmbeddedMongoUri,
  isPortFree,
  MissingToolError,
  ROOT,
  startFerretDB,
  startNodeEntry,
  startTemporalDevServer,
  toolPath,
  waitForHttp,
  type ManagedProcess,
} from './processes';

const DATA = process.env.PAGOSFLOW_DATA_DIR ?? path.join(ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
const args = new Set(process.argv.slice(2));

const say = (msg: string) => console.log(`[stack] ${msg}`);
const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1'].includes(host);

function hostPort(address: string): { host: string; port: number } {
  const u = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: u.hostname, port: Number(u.port) };
}

function nodeProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ManagedProcess {
  return startNodeEntry(name, entry, { logFile: path.join(LOGS, `${name}.log`), env });
}

async function main() {
  let config: Config;
  try {
    config = parseConfig();
    // On the embedded stack, MercadoPago's notification_url, outgoing mail, Slack and SMS pages
    // follow the ports in use (the sandbox's SMTP, Slack and Twilio) unless they are set explicitly.
    process.env.PUBLIC_API_URL ||= `http://${config.API_HOST}:${config.API_PORT}`;
    process.env.SMTP_URL ||= `smtp://${config.SANDBOX_HOST}:${config.SANDBOX_SMTP_PORT}`;
    process.env.SLACK_WEBHOOK_URL ||= `http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}/slack/incoming-webhook`;
    process.env.TWILIO_API_URL ||= `http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}/twilio`;
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`[stack] refusing to start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  mkdirSync(LOGS, { recursive: true });

  const temporal = hostPort(config.TEMPORAL_ADDRESS);
  // A multi-host URI (a replica set) is never the embedded server.
  const mongoUrl = new URL(config.MONGODB_URI.includes(',') ? 'mongodb://remote' : config.MONGODB_URI);
  const mongo = { host: mongoUrl.hostname, port: Number(mongoUrl.port || 27017) };
  const embedTemporal = isLocal(temporal.host);
  // Only the embedded FerretDB's string gets retryWrites=false (ferretDbUri); MongoDB keeps the driver's default.
  const embedMongo = isEmbeddedMongoUri(config.MONGODB_URI);
  const TEMPORAL_UI_PORT = Number(new URL(config.TEMPORAL_UI_URL).port || 8233);

  // Every port we are about to bind must be free, or we say which one and stop before starting anything.
  const ports: [string, number][] = [
    ...(embedTemporal ? ([['Temporal frontend', temporal.port], ['Temporal Web UI', TEMPORAL_UI_PORT]] as [string, number][]) : []),
    ...(embedMongo ? ([['FerretDB (MongoDB wire)', mongo.port || 27017]] as [string, number][]) : []),
    ['provider sandbox', config.SANDBOX_PORT],
    ['sandbox SMTP sink', config.SANDBOX_SMTP_PORT],
    ['API', config.API_PORT],
    ...(config.WORKER_METRICS_PORT > 0 ? ([['worker metrics', config.WORKER_METRICS_PORT]] as [string, number][]) : []),
  ];
  for (const [what, port] of ports) {
    if (!(await isPortFree(port))) {
      console.error(`[stack] port ${port} (${what}) is taken: stop whatever listens there (\`ss -ltnp 'sport = :${port}'\`) or change the port in .env`);
      process.exit(1);
    }
  }
  try {
    if (embedTemporal) toolPath('temporal');
    if (embedMongo) toolPath('ferretdb');
  } catch (err) {
    if (err instanceof MissingToolError) {
      console.error(`[stack] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const running: ManagedProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const p of [...running].reverse()) {
      await p.stop();
      say(`${p.name} stopped`);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const watch = (p: ManagedProcess) => {
    running.push(p);
    p.child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[stack] ${p.name} exited unexpectedly (${code ?? signal}); see ${p.logFile}`);
      void stopAll(1);
    });
  };

  try {
    if (embedTemporal) {
      say(`Temporal dev server on ${temporal.port}, Web UI on ${TEMPORAL_UI_PORT} (history in ${path.join(DATA, 'temporal')})`);
      watch(await startTemporalDevServer({ port: temporal.port, uiPort: TEMPORAL_UI_PORT, dbFile: path.join(DATA, 'temporal', 'temporal.db'), logFile: path.join(LOGS, 'temporal.log'), namespace: config.TEMPORAL_NAMESPACE }));
    } else {
      say(`using the Temporal cluster at ${config.TEMPORAL_ADDRESS}`);
    }
    if (embedMongo) {
      say(`FerretDB on ${mongo.port || 27017} (data in ${path.join(DATA, 'ferretdb')})`);
      watch(await startFerretDB({ port: mongo.port || 27017, dataDir: path.join(DATA, 'ferretdb'), logFile: path.join(LOGS, 'ferretdb.log') }));
    } else {
      say('using the MongoDB at MONGODB_URI');
    }

    const env = { ...process.env, ...(embedMongo ? { MONGODB_URI: ferretDbUri(config.MONGODB_URI) } : {}) };
    say(`provider sandbox on ${config.SANDBOX_PORT}`);
    const sandbox = nodeProcess('sandbox', 'sandbox/main.ts', env);
    watch(sandbox);
    await waitForHttp(`http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}/health`, { proc: sandbox });

    say(`workers for task queues ${config.WORKER_TASK_QUEUES.join(', ')}`);
    const worker = nodeProcess('worker', 'workers/main.ts', env);
    watch(worker);
    await worker.waitForLine('pagos-flow worker ready', 120000);

    say(`API on ${config.API_PORT}`);
    const api = nodeProcess('api', 'api/main.ts', env);
    watch(api);
    await waitForHttp(`http://${config.API_HOST}:${config.API_PORT}/health`, { proc: api, timeoutMs: 60000 });
  } catch (err) {
    console.error(`[stack] start-up failed: ${(err as Error).message}`);
    await stopAll(1);
    return;
  }

  say('all parts healthy');
  say(`  API          http://${config.API_HOST}:${config.API_PORT}  (GET /health)`);
  say(`  Dashboard    http://${config.API_HOST}:${config.API_PORT}/dashboard/  (sign in with an API key; npm run apikey -- create)`);
  say(`  API docs     http://${config.API_HOST}:${config.API_PORT}/docs/`);
  say(`  Temporal UI  ${config.TEMPORAL_UI_URL}`);
  say(`  logs         ${LOGS}`);

  if (!args.has('--no-demo')) {
    say('main job: a MercadoPago payment webhook and an order checkout, end to end');
    try {
      await runMainJob(config, (line) => say(`  ${line}`));
      say('main job ok');
    } catch (err) {
      console.error(`[stack] main job FAILED: ${(err as Error).message} (logs in ${LOGS})`);
      if (args.has('--exit-after-demo')) return stopAll(1);
    }
    if (args.has('--exit-after-demo')) return stopAll(0);
  }
  say('Ctrl-C stops everything.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
