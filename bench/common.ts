/** Helpers shared by the benchmarks: timing, the results table, a fresh database of either kind. */
import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, openSqlite, type Database } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrate.js';

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
