/**
 * The production shape, on this machine: a real Temporal server (go.temporal.io/server, built by
 * infra/install.sh) on PostgreSQL with SQL advanced visibility, set up by the same script the
 * compose file runs (infra/temporal/setup-cluster.sh); FerretDB; the provider sandbox; and the
 * product's processes replicated — two API processes behind a round-robin balancer and two worker
 * processes, each polling every task queue. Everything on free ports, in a project-local temp
 * folder (.data/, git-ignored), stopped and removed by stop().
 */
import './quiet-sdk';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ferretDbUri,
  freePort,
  ROOT,
  startFerretDB,
  startNodeEntry,
  startProcess,
  toolPath,
  waitFor,
  waitForHttp,
  waitForTemporal,
  type ManagedProcess,
} from '../../infra/processes';
import { readVersions } from '../../infra/versions';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/bundle';
import { appEnv } from './stack';

const run = promisify(execFile);
const TEMPORAL_DIR = path.join(ROOT, 'infra', 'temporal');

/** Debian's PostgreSQL binaries: the pinned major first, else the newest installed. */
export function postgresBinDir(): string {
  const preferred = `/usr/lib/postgresql/${readVersions().POSTGRESQL_VERSION}/bin`;
  if (existsSync(path.join(preferred, 'postgres'))) return preferred;
  const majors = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((d) => existsSync(`/usr/lib/postgresql/${d}/bin/postgres`)) : [];
  if (majors.length === 0) throw new Error('PostgreSQL is not installed: run `bash infra/install.sh` (it installs Debian\'s postgresql package)');
  return `/usr/lib/postgresql/${majors.sort((a, b) => Number(a) - Number(b)).at(-1)}/bin`;
}

/** The module's own versioned schema files, in the Go module cache (downloaded by install.sh). */
export function temporalSchemaDir(): string {
  const version = readVersions().TEMPORAL_SERVER_VERSION;
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(modcache, `go.temporal.io/server@v${version}`, 'schema');
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run \`bash infra/install.sh\``);
  return dir;
}

const isRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root: as root, its commands run as the unprivileged postgres user. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export async function startPostgres(opts: { port: number; dir: string; logFile: string }): Promise<ManagedProcess> {
  const bin = postgresBinDir();
  const data = path.join(opts.dir, 'data');
  const sockets = path.join(opts.dir, 'sockets');
  mkdirSync(sockets, { recursive: true });
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(opts.dir, uid, gid);
    chownSync(sockets, uid, gid);
  }
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    const [cmd, args] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'temporal', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await run(cmd, args, { timeout: 120000 });
  }
  // fsync off: a test cluster thrown away at the end (production keeps PostgreSQL's defaults).
  const [cmd, args] = asPostgres(path.join(bin, 'postgres'), ['-D', data, '-p', String(opts.port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
  const proc = startProcess('postgresql', cmd, args, { logFile: opts.logFile });
  await waitFor(`PostgreSQL on ${opts.port}`, () => run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(opts.port), '-U', 'temporal']), { proc, timeoutMs: 60000, intervalMs: 300 });
  return proc;
}

/** infra/temporal/setup-cluster.sh with this machine's tools and addresses. */
export async function setupCluster(phase: 'schema' | 'namespace', env: { pgPort?: number; temporalAddress?: string; namespace?: string }): Promise<string> {
  const { stdout, stderr } = await run('sh', [path.join(TEMPORAL_DIR, 'setup-cluster.sh'), phase], {
    timeout: 180000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SQL_TOOL: toolPath('temporal-sql-tool'),
      TEMPORAL_CLI: toolPath('temporal'),
      SCHEMA_DIR: phase === 'schema' ? temporalSchemaDir() : '',
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(env.pgPort ?? ''),
      POSTGRES_USER: 'temporal',
      TEMPORAL_ADDRESS: env.temporalAddress ?? '',
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      NAMESPACE_RETENTION: '24h',
    },
  });
  return stdout + stderr;
}

export interface TemporalServerPorts {
  frontend: number;
  [k: string]: number;
}

/** Writes the server's config (infra/temporal/config.template.yaml) for these ports into dir/config. */
export async function writeServerConfig(dir: string, pgPort: number): Promise<TemporalServerPorts> {
  // freePort draws below 32768, which the membership ports need too (stored as smallint).
  const ports: TemporalServerPorts = { frontend: await freePort() };
  for (const k of ['frontendHttp', 'matching', 'history', 'worker', 'metrics']) ports[k] = await freePort();
  for (const k of ['frontendMembership', 'matchingMembership', 'historyMembership', 'workerMembership']) ports[k] = await freePort();
  const values: Record<string, string | number> = {
    PG_PORT: pgPort,
    FRONTEND_PORT: ports.frontend,
    FRONTEND_HTTP_PORT: ports.frontendHttp,
    FRONTEND_MEMBERSHIP_PORT: ports.frontendMembership,
    MATCHING_PORT: ports.matching,
    MATCHING_MEMBERSHIP_PORT: ports.matchingMembership,
    HISTORY_PORT: ports.history,
    HISTORY_MEMBERSHIP_PORT: ports.historyMembership,
    WORKER_PORT: ports.worker,
    WORKER_MEMBERSHIP_PORT: ports.workerMembership,
    METRICS_PORT: ports.metrics,
    DYNAMIC_CONFIG: path.join(TEMPORAL_DIR, 'dynamicconfig', 'development-sql.yaml'),
  };
  const text = readFileSync(path.join(TEMPORAL_DIR, 'config.template.yaml'), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => {
    if (values[k] === undefined) throw new Error(`config.template.yaml: no value for {{${k}}}`);
    return String(values[k]);
  });
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  writeFileSync(path.join(dir, 'config', 'development.yaml'), text);
  return ports;
}

export async function startTemporalServer(dir: string, frontendPort: number, logFile: string): Promise<ManagedProcess> {
  const proc = startProcess('temporal-server', toolPath('temporal-server'), ['--root', dir, '--config', 'config', '--env', 'development', 'start'], { logFile });
  await waitForTemporal(`127.0.0.1:${frontendPort}`, { proc, timeoutMs: 120000 });
  return proc;
}

/** A round-robin HTTP balancer in front of the API replicas (what a load balancer does in production). */
export async function startBalancer(port: number, targets: () => string[]): Promise<http.Server> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const list = targets();
    const target = new URL(list[next++ % list.length]);
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"bad_gateway"}}');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export interface ProductionTier {
  /** The two API processes, addressed directly. */
  apiUrls: string[];
  /** The balancer in front of them (PUBLIC_API_URL: where the sandbox's MercadoPago notifies). */
  balancerUrl: string;
  temporalAddress: string;
  namespace: string;
  sandboxUrl: string;
  mongoUri: string;
  env: Record<string, string>;
  dir: string;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  temporal: ManagedProcess;
  /** Every running process of the tier (for CPU time by process in the benchmark). */
  parts(): ManagedProcess[];
  /** Timings of the start, for the report. */
  timings: Record<string, number>;
  /** Stops the Temporal server (SIGTERM, as an orchestrator would); startTemporal brings it back on the same ports and data. */
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  /** SIGKILL a worker process (no graceful shutdown). */
  killWorker(i: number): Promise<void>;
  /** (Re)starts worker i with the tier's env (plus extra). */
  startWorker(i: number, extra?: Record<string, string>): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export async function startProductionTier(opts: { env?: Record<string, string>; workers?: number; apis?: number } = {}): Promise<ProductionTier> {
  const base = path.join(ROOT, '.data', 'production-tier');
  mkdirSync(base, { recursive: true });
  const dir = path.join(base, randomUUID().slice(0, 8));
  mkdirSync(dir);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const pgDir = path.join(dir, 'postgresql');
  mkdirSync(pgDir);
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const lap = (k: string) => (timings[k] = Date.now() - t0);
  const infra: ManagedProcess[] = [];
  const app: ManagedProcess[] = [];
  let balancer: http.Server | undefined;
  let temporal: ManagedProcess | undefined;
  const stopAll = async () => {
    balancer?.close();
    for (const p of [...app].reverse()) await p.stop();
    await temporal?.stop(20000);
    for (const p of [...infra].reverse()) await p.stop();
  };
  try {
    // The workflow bundle is prebuilt once, as `npm run build` does for production, and loaded by
    // every worker replica (and restart) through WORKFLOW_BUNDLE_PATH.
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    const bundled = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }).then(({ code }) => writeFileSync(bundlePath, code));
    bundled.catch(() => undefined);
    const pgPort = await freePort();
    const mongoPort = await freePort();
    const [pg, ferret] = await Promise.all([
      startPostgres({ port: pgPort, dir: pgDir, logFile: path.join(logs, 'postgresql.log') }),
      startFerretDB({ port: mongoPort, dataDir: path.join(dir, 'ferretdb'), logFile: path.join(logs, 'ferretdb.log') }),
    ]);
    infra.push(pg, ferret);
    lap('postgresql+ferretdb');
    await setupCluster('schema', { pgPort });
    lap('schema');
    const ports = await writeServerConfig(dir, pgPort);
    const temporalAddress = `127.0.0.1:${ports.frontend}`;
    const serverLog = path.join(logs, 'temporal-server.log');
    temporal = await startTemporalServer(dir, ports.frontend, serverLog);
    lap('temporal-server');
    const namespace = 'pagosflow';
    await setupCluster('namespace', { temporalAddress, namespace });
    lap('namespace');

    const nApis = opts.apis ?? 2;
    const nWorkers = opts.workers ?? 2;
    const apiPorts = await Promise.all(Array.from({ length: nApis }, () => freePort()));
    const [balancerPort, sandboxPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const balancerUrl = `http://127.0.0.1:${balancerPort}`;
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const mongoUri = ferretDbUri(`mongodb://127.0.0.1:${mongoPort}/pagosflow`);
    const env: Record<string, string> = {
      ...appEnv({ namespace, temporalAddress, mongoUri, sandboxPort, smtpPort, publicApiUrl: balancerUrl, backupDir: path.join(dir, 'backups') }),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      ...opts.env,
    };
    const childEnv = (extra: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...env, ...extra });

    const sandbox = startNodeEntry('sandbox', 'sandbox/main.ts', { logFile: path.join(logs, 'sandbox.log'), env: childEnv({}) });
    app.push(sandbox);
    await waitForHttp(`${sandboxUrl}/health`, { proc: sandbox });

    const workers: ManagedProcess[] = [];
    let workerStarts = 0;
    const startWorker = async (i: number, extra: Record<string, string> = {}) => {
      const metricsPort = await freePort();
      const p = startNodeEntry(`worker-${i + 1}`, 'workers/main.ts', {
        logFile: path.join(logs, `worker-${i + 1}.${++workerStarts}.log`),
        env: childEnv({ WORKER_METRICS_PORT: String(metricsPort), ...extra }),
      });
      const old = workers[i];
      workers[i] = p;
      const at = app.indexOf(old);
      if (at >= 0) app.splice(at, 1, p);
      else app.push(p);
      await p.waitForLine('pagos-flow worker ready', 180000);
      return p;
    };
    await bundled;
    lap('workflow bundle');
    // Both workers start at once, as a deploy of N replicas does.
    await Promise.all(Array.from({ length: nWorkers }, (_, i) => startWorker(i)));
    lap('workers');

    const apis = apiPorts.map((port, i) => {
      const p = startNodeEntry(`api-${i + 1}`, 'api/main.ts', { logFile: path.join(logs, `api-${i + 1}.log`), env: childEnv({ API_PORT: String(port) }) });
      app.push(p);
      return p;
    });
    await Promise.all(apis.map((p, i) => waitForHttp(`${apiUrls[i]}/health`, { proc: p, okStatuses: [200, 503], timeoutMs: 90000 })));
    balancer = await startBalancer(balancerPort, () => apiUrls);
    lap('apis');

    const tier: ProductionTier = {
      apiUrls,
      balancerUrl,
      temporalAddress,
      namespace,
      sandboxUrl,
      mongoUri,
      env,
      dir,
      workers,
      apis,
      parts: () => [...infra, ...(temporal ? [temporal] : []), ...app].filter((p) => !p.exited),
      get temporal() {
        return temporal!;
      },
      timings,
      async stopTemporal() {
        await temporal!.stop(20000);
      },
      async startTemporal() {
        temporal = startProcess('temporal-server', toolPath('temporal-server'), ['--root', dir, '--config', 'config', '--env', 'development', 'start'], { logFile: serverLog });
      },
      async killWorker(i) {
        const p = workers[i];
        const gone = new Promise<void>((r) => (p.exited ? r() : p.child.once('exit', () => r())));
        try {
          process.kill(-p.child.pid!, 'SIGKILL');
        } catch {
          p.child.kill('SIGKILL');
        }
        await gone;
      },
      startWorker,
      async stop() {
        await stopAll();
        if (!process.env.KEEP_PRODUCTION_TIER) rmSync(dir, { recursive: true, force: true });
      },
    };
    return tier;
  } catch (err) {
    await stopAll();
    throw new Error(`production tier did not start (logs in ${logs}): ${(err as Error).message}`);
  }
}
