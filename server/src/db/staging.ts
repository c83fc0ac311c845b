import type SQLite from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import { breathe } from '../common/breathe.js';

/**
 * Rows meant for one table, gathered ahead of the transaction that makes them visible. A large import stages
 * its rows in turns, then inserts them all inside one short transaction together with its roll-ups and audit
 * entry: all or nothing, and nothing of it is seen before that transaction commits.
 *
 * On SQLite every request shares one connection, so a long transaction holds the whole server. The rows go to
 * a temporary table of that connection (in memory, never seen by another connection, gone if the process
 * dies) in short transactions of their own, with other requests served in between; the final INSERT … SELECT
 * moves them inside SQLite without a round trip per row. On PostgreSQL the rows wait in memory and go in with
 * the usual multi-row inserts: its transactions do not hold anyone else up.
 */
export interface Staged<T extends keyof DB> {
  /** Adds rows, in order (all rows of a staging have the same columns). */
  add(rows: Insertable<DB[T]>[]): Promise<void>;
  /** How many rows were added. */
  readonly size: number;
  /** Inside the caller's transaction `trx`: inserts every staged row into the table, in the order added. */
  publish(trx: Kysely<DB>): Promise<void>;
  /**
   * Inside `trx`: inserts the staged rows whose `unique` columns are not in the table yet and tells for each
   * staged row whether it was inserted (rows must be unique among themselves on those columns).
   */
  publishNew(trx: Kysely<DB>, unique: (keyof DB[T] & string)[]): Promise<boolean[]>;
  /** Forgets the rows; call it whatever happened (after the transaction, never inside it). */
  discard(): Promise<void>;
}

/**
 * After a large transaction the WAL holds every page it wrote, and SQLite's automatic checkpoint would copy them
 * into the database file at the commit, on the connection every request waits for (≈ 0.2 s for 20,000 members
 * on the city demo). Around a publish the automatic checkpoint is held back; the checkpoint then runs on a
 * connection of its own on a worker thread (a passive checkpoint: readers and writers go on meanwhile).
 */
let checkpointsHeld = 0;
let autocheckpoint = 1000;
function holdCheckpoints(sqlite: SQLite.Database): void {
  if (checkpointsHeld++ === 0) {
    autocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    sqlite.pragma('wal_autocheckpoint = 0');
  }
}
async function checkpointOffThread(sqlite: SQLite.Database): Promise<void> {
  try {
    if (sqlite.memory || !sqlite.open) return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const code = `const SQLite = require(${JSON.stringify(driver)});
const db = new SQLite(${JSON.stringify(sqlite.name)}, { timeout: 5000 });
try { db.pragma('wal_checkpoint(PASSIVE)'); } finally { db.close(); }`;
    await new Promise<void>((resolve) => {
      const worker = new Worker(code, { eval: true });
      // A failed checkpoint is no loss: the next automatic one copies the pages.
      worker.on('error', () => undefined);
      worker.once('exit', () => resolve());
    });
  } catch {
    // As above.
  } finally {
    if (--checkpointsHeld === 0 && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  }
}

/** Rows written to the temporary table per short transaction (a few milliseconds of work each). */
const SQLITE_TURN_ROWS = 2000;
let sequence = 0;

/** Staging in a temporary table of the single SQLite connection `sqlite`, on which Kysely `db` runs. */
export function sqliteStaged<T extends keyof DB>(sqlite: SQLite.Database, db: Kysely<DB>, table: T): Staged<T> {
  const stage = `staged_${String(table)}_${++sequence}`;
  let cols: string[] | undefined;
  let insert: SQLite.Statement | undefined;
  let size = 0;
  let held = false;
  const hold = () => {
    if (held) return;
    held = true;
    holdCheckpoints(sqlite);
  };
  const list = () => cols!.map((c) => `"${c}"`).join(', ');
  return {
    get size() {
      return size;
    },
    async add(rows) {
      for (let i = 0; i < rows.length; i += SQLITE_TURN_ROWS) {
        const turn = rows.slice(i, i + SQLITE_TURN_ROWS) as Record<string, unknown>[];
        // A Kysely transaction holds the connection: no other request's statement runs in the middle of the turn.
        await db.transaction().execute(async () => {
          if (!cols) {
            cols = Object.keys(turn[0]!);
            // Same columns and affinities as the table, no constraints; in the connection's temporary schema.
            sqlite.exec(`create temp table "${stage}" as select ${list()} from main."${String(table)}" where 0`);
            insert = sqlite.prepare(
              `insert into temp."${stage}" (${list()}) values (${cols.map(() => '?').join(', ')})`,
            );
          }
          for (const r of turn) insert!.run(cols.map((c) => r[c] ?? null));
        });
        size += turn.length;
        await breathe();
      }
    },
    async publish() {
      if (!size) return;
      hold();
      // The caller's transaction holds the connection; rowids of the temporary table are 1…size in order.
      sqlite.exec(
        `insert into main."${String(table)}" (${list()}) select ${list()} from temp."${stage}" order by rowid`,
      );
    },
    async publishNew(_trx, unique) {
      if (!size) return [];
      hold();
      const inserted = new Array<boolean>(size).fill(true);
      const same = unique.map((c) => `t."${c}" = s."${c}"`).join(' and ');
      const present = sqlite
        .prepare(
          `delete from temp."${stage}" as s where exists (select 1 from main."${String(table)}" as t where ${same}) returning rowid`,
        )
        .pluck()
        .all() as number[];
      for (const rowid of present) inserted[rowid - 1] = false;
      sqlite.exec(
        `insert into main."${String(table)}" (${list()}) select ${list()} from temp."${stage}" order by rowid`,
      );
      return inserted;
    },
    async discard() {
      if (cols) {
        cols = undefined;
        insert = undefined;
        size = 0;
        await sql`drop table if exists temp.${sql.id(stage)}`.execute(db);
      }
      if (held) {
        held = false;
        await checkpointOffThread(sqlite);
      }
    },
  };
}

/** Staging in memory; publishing inserts with the database's bulk statements (PostgreSQL). */
export function memoryStaged<T extends keyof DB>(
  table: T,
  bulk: {
    bulkInsert(trx: Kysely<DB>, table: T, rows: Insertable<DB[T]>[]): Promise<void>;
    insertNew(
      trx: Kysely<DB>,
      table: T,
      rows: Insertable<DB[T]>[],
      unique: (keyof DB[T] & string)[],
    ): Promise<boolean[]>;
  },
): Staged<T> {
  let rows: Insertable<DB[T]>[] = [];
  return {
    get size() {
      return rows.length;
    },
    async add(more) {
      for (const r of more) rows.push(r);
    },
    publish: (trx) => bulk.bulkInsert(trx, table, rows),
    async publishNew(trx, unique) {
      const inserted: boolean[] = [];
      for (let i = 0; i < rows.length; i += 20_000)
        for (const ok of await bulk.insertNew(trx, table, rows.slice(i, i + 20_000), unique)) inserted.push(ok);
      return inserted;
    },
    async discard() {
      rows = [];
    },
  };
}
