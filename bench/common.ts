/** Helpers shared by the benchmarks: timing, the results table, a fresh database of either kind. */
import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { openDatabase, openSqlite, type Database } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrate.js';
import { freePort, startEmbeddedPostgres } from '../server/test/embedded-pg.js';
import { buildApp } from '../server/src/app.js';
import type { Services } from '../server/src/services.js';

export const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
export const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export class Results {
  readonly rows: string[] = [];
  record(db: string, what: string, value: number, target: string, anchorName: string, anchor: number, unit = 'ms') {
    const line = `| ${db} | ${what} | ${value.toFixed(1)} ${unit} | ${target} | ${anchorName}: ${anchor.toFixed(2)} ${unit} | ${(value / anchor).toFixed(unit === 'ms' ? 1 : 2)}× |`;
    this.rows.push(line);
    console.log(line);
  }
  note(line: string) {
    this.rows.push(line);
    console.log(line);
  }
  append(title: string) {
    const header = `\n## ${new Date().toISOString().slice(0, 10)} — ${title}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n\nCommand: \`${process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : 'npm run bench'}\`. Anchor = a baseline measured in the same run on the same machine; ratio = figure ÷ anchor.\n\n| db | what | figure | target | anchor | ratio |\n|---|---|---|---|---|---|\n`;
    appendFileSync('bench/RESULTS.md', header + this.rows.join('\n') + '\n');
    console.log('appended to bench/RESULTS.md');
  }
}

export async function timeHttp(url: string, cookie: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    // A kept-alive socket may have been closed by the server during a long setup step: retry once.
    const res = await fetch(url, { headers: { cookie } }).catch(() => fetch(url, { headers: { cookie } }));
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} → ${res.status}`);
    out.push(ms(t0));
  }
  return out;
}

/** A fresh, migrated database in a temp directory (SQLite) or a new database on the given server (PostgreSQL). */
export async function benchDatabase(kind: 'sqlite' | 'postgres', pgUrl?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-bench-'));
  let database: Database;
  let dropPg: (() => Promise<void>) | undefined;
  if (kind === 'sqlite') database = openSqlite(path.join(dir, 'bench.db'));
  else {
    const name = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(pgUrl!);
    url.pathname = `/${name}`;
    database = openDatabase({ databaseUrl: url.toString(), dataDir: dir });
    dropPg = async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  await migrateToLatest(database);
  return {
    dir,
    database,
    async dispose() {
      await database.close();
      await dropPg?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The q-quantile (0–1) of a list of figures (nearest rank); NaN for none. */
export function percentile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A new, empty database on the given PostgreSQL server: its URL and how to drop it. */
export async function createPgDatabase(
  pgUrl: string,
  prefix = 'bench',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * Everything a `tuanwu serve` process needs to run on data prepared in this process: a data dir, the database
 * the server will open there (SQLite `tuanwu.db`, or a new database on `pgUrl`), migrated, and the instance key.
 * `env` is the server's environment; `open()` opens another connection to the same database.
 */
export async function serverData(kind: 'sqlite' | 'postgres', pgUrl?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-bench-'));
  const pgDb = kind === 'postgres' ? await createPgDatabase(pgUrl!) : undefined;
  const key = randomBytes(32);
  const open = () => openDatabase({ databaseUrl: pgDb?.url, dataDir: dir });
  const database = open();
  await migrateToLatest(database);
  return {
    dir,
    key,
    database,
    open,
    env: {
      ...process.env,
      TUANWU_DATA_DIR: dir,
      DATABASE_URL: pgDb?.url ?? '',
      TUANWU_SECRET: key.toString('hex'),
      LOG_LEVEL: 'warn',
    } as NodeJS.ProcessEnv,
    async dispose() {
      await database.close().catch(() => undefined);
      await pgDb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Members signed in on their phones: a member session each (as redeeming a one-time code opens it), written in
 * bulk. Returns the cookie token and CSRF token a phone sends.
 */
export async function signedInMembers(
  database: Database,
  memberIds: number[],
): Promise<{ memberId: number; token: string; csrf: string }[]> {
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  const out: { memberId: number; token: string; csrf: string }[] = [];
  const rows = memberIds.map((memberId) => {
    const token = `bench-${memberId}-${randomBytes(8).toString('hex')}`;
    const csrf = `c${memberId}-${randomBytes(4).toString('hex')}`;
    out.push({ memberId, token, csrf });
    return {
      id: createHash('sha256').update(token).digest('base64url'),
      member_id: memberId,
      csrf_token: csrf,
      created_at: now,
      expires_at: expires,
    };
  });
  for (let i = 0; i < rows.length; i += 10_000)
    await database.db
      .transaction()
      .execute((trx) => database.bulkInsert(trx, 'member_session', rows.slice(i, i + 10_000)));
  return out;
}

export const TUANWU_CLI = path.resolve(import.meta.dirname, '../server/bin/tuanwu.mjs');

/** A real `tuanwu serve` process on a fresh loopback port (the compiled server: `npm run build -w server`). */
export class ServerProcess {
  private output = '';
  private constructor(
    readonly proc: ChildProcess,
    readonly base: string,
  ) {
    const collect = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
  }

  /** Starts the server and waits until /api/health answers (at most `timeoutMs`). */
  static async start(env: NodeJS.ProcessEnv, opts: { cli?: string; timeoutMs?: number } = {}): Promise<ServerProcess> {
    const port = await freePort();
    const proc = spawn(process.execPath, [opts.cli ?? TUANWU_CLI, 'serve'], {
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(proc, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      if (!server.running)
        throw new Error(`tuanwu serve exited (${proc.exitCode ?? proc.signalCode}):\n${server.log()}`);
      const ok = await fetch(`${server.base}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return server;
      if (Date.now() > deadline) {
        await server.kill9();
        throw new Error(`tuanwu serve did not answer /api/health in time:\n${server.log()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last 20,000 characters the server wrote. */
  log(): string {
    return this.output;
  }

  /** SIGKILL (no shutdown of any kind), and wait until the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM (the server closes cleanly), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/** The app on a loopback port with a system administrator signed in: its cookie and CSRF token. */
export async function benchServer(services: Services, opts: { webDir?: string } = {}) {
  const password = 'Bench-pass-2026';
  await services.accounts.insertAccount(services.database.db, {
    username: 'bench-admin',
    displayName: 'bench',
    password,
    isSystemAdmin: true,
    mustChangePassword: false,
  });
  const app = await buildApp({ services, ...(opts.webDir && { webDir: opts.webDir }) });
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench-admin', password }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken: csrf } = (await login.json()) as { csrfToken: string };
  return { app, base, cookie, csrf };
}

/** Runs a benchmark on SQLite and on a durable embedded PostgreSQL, or on the one named on the command line. */
export async function onEachDatabase(bench: (kind: 'sqlite' | 'postgres', pgUrl?: string) => Promise<void>) {
  const which = process.argv[2];
  if (which !== 'postgres') await bench('sqlite');
  if (which !== 'sqlite') {
    // BENCH_PG_URL: a running PostgreSQL server to use (e.g. one keeping a province database between runs).
    if (process.env.BENCH_PG_URL) return bench('postgres', process.env.BENCH_PG_URL);
    const server = await startEmbeddedPostgres({ durable: true });
    try {
      await bench('postgres', server.url);
    } finally {
      await server.stop();
    }
  }
}
