import path from 'node:path';
import { mkdirSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Insertable } from 'kysely';
import type { DB } from './schema.js';
import { postgresDialect, sqliteDialect, type Dialect } from './dialect.js';
import { memoryStaged, sqliteStaged, type Staged } from './staging.js';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /**
   * Inserts many rows of one shape into a table inside the caller's transaction `trx`: prepared single-row
   * statements on SQLite (its fastest path), multi-row INSERTs on PostgreSQL.
   */
  bulkInsert<T extends keyof DB>(trx: Kysely<DB>, table: T, rows: Insertable<DB[T]>[]): Promise<void>;
  /**
   * Like bulkInsert, skipping rows whose `unique` columns already exist; tells for each row whether it was
   * inserted (rows must be unique among themselves on those columns).
   */
  insertNew<T extends keyof DB>(
    trx: Kysely<DB>,
    table: T,
    rows: Insertable<DB[T]>[],
    unique: (keyof DB[T] & string)[],
  ): Promise<boolean[]>;
  /**
   * Rows for `table` gathered ahead of the transaction that inserts them all (see staging.ts): on SQLite they
   * are written in short turns to a temporary table, so a large import does not hold the only connection.
   */
  stage<T extends keyof DB>(table: T): Staged<T>;
  /** Human-readable location, for logs (never includes a password). */
  location: string;
  /** The instance's data directory (attachments live in its `files/` unless TUANWU_FILES_DIR says otherwise). */
  dataDir: string;
  close(): Promise<void>;
}

let pgTypesConfigured = false;
function configurePgTypes(): void {
  if (pgTypesConfigured) return;
  pgTypesConfigured = true;
  // bigint (count(*), sum) → number; timestamptz → ISO string in UTC, as SQLite stores it.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());
  pg.types.setTypeParser(1114, (v) => new Date(v + 'Z').toISOString());
}

export function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string }): Database {
  if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    configurePgTypes();
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: Number(process.env.PG_POOL_SIZE ?? 10) });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const columnTypes = new Map<string, Map<string, string>>();
    const url = new URL(opts.databaseUrl);
    const typesOf = async (trx: Kysely<DB>, table: string) => {
      let types = columnTypes.get(table);
      if (!types) {
        const res = await sql<{
          column_name: string;
          udt_name: string;
        }>`select column_name, udt_name from information_schema.columns where table_name = ${table} and table_schema = current_schema()`.execute(
          trx,
        );
        types = new Map(res.rows.map((r) => [r.column_name, r.udt_name]));
        columnTypes.set(table, types);
      }
      return types;
    };
    const unnestArrays = (cols: string[], chunk: Record<string, unknown>[], types: Map<string, string>) =>
      sql.join(cols.map((c) => sql`${chunk.map((r) => r[c] ?? null)}::${sql.raw(types.get(c) ?? 'text')}[]`));
    const database: Database = {
      db,
      dialect: postgresDialect,
      stage: (table) => memoryStaged(table, database),
      // One array parameter per column (INSERT … SELECT FROM unnest): a whole batch binds as a few values.
      async bulkInsert(trx, table, rows) {
        if (!rows.length) return;
        const cols = Object.keys(rows[0]!);
        const types = await typesOf(trx, table);
        for (let i = 0; i < rows.length; i += 50_000) {
          const chunk = rows.slice(i, i + 50_000) as Record<string, unknown>[];
          await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) select * from unnest(${unnestArrays(cols, chunk, types)})`.execute(
            trx,
          );
        }
      },
      async insertNew(trx, table, rows, unique) {
        if (!rows.length) return [];
        const cols = Object.keys(rows[0]!);
        const types = await typesOf(trx, table);
        const key = (r: Record<string, unknown>) => unique.map((c) => String(r[c])).join('\u0000');
        const inserted = new Set<string>();
        for (let i = 0; i < rows.length; i += 50_000) {
          const chunk = rows.slice(i, i + 50_000) as Record<string, unknown>[];
          const res = await sql<
            Record<string, unknown>
          >`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) select * from unnest(${unnestArrays(cols, chunk, types)}) on conflict (${sql.join(unique.map((c) => sql.ref(c)))}) do nothing returning ${sql.join(unique.map((c) => sql.ref(c)))}`.execute(
            trx,
          );
          for (const r of res.rows) inserted.add(key(r));
        }
        return rows.map((r) => inserted.has(key(r as Record<string, unknown>)));
      },
      location: `postgres://${url.host}${url.pathname}`,
      dataDir: path.resolve(opts.dataDir),
      close: () => db.destroy(),
    };
    return database;
  }
  if (opts.databaseUrl) throw new Error(`不支持的 DATABASE_URL：只接受 postgres:// 地址（未设置时使用内置 SQLite）`);
  mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'tuanwu.db');
  return openSqlite(file);
}

export function openSqlite(file: string): Database {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Large imports touch random pages of the hash indexes: a 256 MB page cache keeps them in memory.
  sqlite.pragma('cache_size = -262144');
  sqlite.pragma('temp_store = memory');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  const statements = new Map<string, SQLite.Statement>();
  return {
    db,
    dialect: sqliteDialect,
    location: file,
    dataDir: path.dirname(path.resolve(file)),
    close: () => db.destroy(),
    stage: (table) => sqliteStaged(sqlite, db, table),
    // Kysely runs every SQLite query on this one connection, so these rows join the caller's transaction.
    async bulkInsert(_trx, table, rows) {
      if (!rows.length) return;
      const cols = Object.keys(rows[0]!);
      const key = `${table}(${cols.join(',')})`;
      let stmt = statements.get(key);
      if (!stmt) {
        stmt = sqlite.prepare(
          `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')})`,
        );
        statements.set(key, stmt);
      }
      for (const r of rows) stmt.run(cols.map((c) => (r as Record<string, unknown>)[c] ?? null));
    },
    async insertNew(_trx, table, rows, unique) {
      if (!rows.length) return [];
      const cols = Object.keys(rows[0]!);
      const key = `${table}(${cols.join(',')}) new on (${unique.join(',')})`;
      let stmt = statements.get(key);
      if (!stmt) {
        stmt = sqlite.prepare(
          `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')}) on conflict (${unique.map((c) => `"${c}"`).join(', ')}) do nothing`,
        );
        statements.set(key, stmt);
      }
      return rows.map((r) => stmt.run(cols.map((c) => (r as Record<string, unknown>)[c] ?? null)).changes === 1);
    },
  };
}
